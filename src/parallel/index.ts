// The worker pool the container hands chunk work to: `workers: n | 'auto'` turned into a pool of workers running the
// same kernel build as the caller.
import { describeValue } from '../codecs/describe-value';
import { TensorzipError } from '../errors';
import { compiledModule } from '../wasm/load';
import { WorkerPool } from './pool';
import { availableCores } from './spawn';

export { WorkerPool };
export type { ChunkJob, SharedWorkerTask, TaskInputs, WorkerTask } from './protocol';

/** A number of workers (0: none, decode on the calling thread) or 'auto' (one per core the runtime reports). */
export type WorkersOption = number | 'auto';

/** Pools in use, by build and size: archives and packs at work at the same time share one pool (a dataset's shards
 *  opened with workers: one pool, not one per shard); the last release() stops its workers. */
const shared = new Map<string, { pool: Promise<WorkerPool>; users: number }>();
const keyOf = new WeakMap<WorkerPool, string>();

/**
 * The pool for `workers` — the one in use for the same build and size, or a new one — or null for none; ARGUMENT
 * for anything but a non-negative integer or 'auto'. Each pool it gives is released once with releasePool().
 */
export async function poolFor(workers: WorkersOption | undefined, simd: boolean, what: string): Promise<WorkerPool | null> {
  if (workers === undefined || workers === 0) return null;
  if (workers !== 'auto' && !(Number.isSafeInteger(workers) && workers > 0)) {
    throw new TensorzipError('ARGUMENT', `${what} workers: expected a non-negative integer or 'auto', found ${describeValue(workers)}`);
  }
  const size = workers === 'auto' ? await availableCores() : workers;
  const key = `${simd ? 'simd' : 'scalar'}:${size}`;
  let entry = shared.get(key);
  if (entry === undefined) {
    const started = compiledModule(simd).then((module) => WorkerPool.create(size, module));
    entry = { pool: started, users: 0 };
    shared.set(key, entry);
    started.then((pool) => keyOf.set(pool, key), () => shared.delete(key)); // a pool that failed to start is not kept
  }
  entry.users++;
  try {
    return await entry.pool;
  } catch (err) {
    entry.users--;
    throw err;
  }
}

/** Gives back a pool poolFor gave: when no one else uses it, its workers stop. */
export function releasePool(pool: WorkerPool): void {
  const key = keyOf.get(pool);
  const entry = key === undefined ? undefined : shared.get(key);
  if (entry === undefined || --entry.users > 0) return;
  shared.delete(key!);
  pool.terminate();
}
