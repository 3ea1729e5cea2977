// The worker pool the container hands chunk work to: `workers: n | 'auto'` turned into a pool of workers running the
// same kernel build as the caller.
import { describeValue } from '../codecs/describe-value';
import { TensorzipError } from '../errors';
import { compiledModule } from '../wasm/load';
import { WorkerPool } from './pool';
import { availableCores } from './spawn';

export { WorkerPool };
export type { ChunkJob, TaskInputs, WorkerTask } from './protocol';

/** A number of workers (0: none, decode on the calling thread) or 'auto' (one per core the runtime reports). */
export type WorkersOption = number | 'auto';

/** A pool for `workers`, or null for none; ARGUMENT for anything but a non-negative integer or 'auto'. */
export async function poolFor(workers: WorkersOption | undefined, simd: boolean, what: string): Promise<WorkerPool | null> {
  if (workers === undefined || workers === 0) return null;
  if (workers !== 'auto' && !(Number.isSafeInteger(workers) && workers > 0)) {
    throw new TensorzipError('ARGUMENT', `${what} workers: expected a non-negative integer or 'auto', found ${describeValue(workers)}`);
  }
  const size = workers === 'auto' ? await availableCores() : workers;
  return WorkerPool.create(size, await compiledModule(simd));
}
