// The code each worker runs (src/worker.ts registers the tasks of the layers above; scripts/build.mjs bundles it into
// generated/worker.ts): it instantiates its own kernel instance from the module the pool sends, then decodes chunks
// and runs tasks with the same functions as the main thread, so the bytes and the errors are the same.
import { decodeChunk, decodeChunkBytes } from '../codecs/pipeline/decode';
import { isTensorzipError } from '../errors';
import { Kernels } from '../wasm/kernels';
import { DECODE_CHUNKS_TASK, type BatchMessage, type ChunkJob, type DecodeMessage, type InitMessage, type ReplyError, type SharedWorkerTask, type TaskMessage, type WorkerReply, type WorkerTask } from './protocol';

interface WorkerScope {
  onmessage: ((event: { data: InitMessage | DecodeMessage | BatchMessage | TaskMessage }) => void) | null;
  postMessage(message: WorkerReply, transfer?: ArrayBuffer[]): void;
}

const scope = globalThis as unknown as WorkerScope;

function decode(task: DecodeMessage, kernels: Kernels): Uint8Array {
  const { scratch, outBytes } = task;
  const out = task.shared ?? (scratch !== undefined && scratch.byteLength >= outBytes ? new Uint8Array(scratch, 0, outBytes) : new Uint8Array(outBytes));
  return decodeInto(kernels, { ...task, out });
}

function decodeInto(kernels: Kernels, { encoded, stages, target, out, checksum }: ChunkJob): Uint8Array {
  if (target === null) return decodeChunkBytes(kernels, encoded, stages, out, checksum);
  const values = new Float32Array(out.buffer, out.byteOffset, target.count);
  decodeChunk(kernels, encoded, stages, { ...target, out: values, checksum });
  return out;
}

function replyError(err: unknown): ReplyError {
  const known = isTensorzipError(err);
  return { code: known ? err.code : null, message: err instanceof Error ? err.message : String(err), offset: known ? err.offset : undefined };
}

function errorReply(id: number, returned: ArrayBuffer[], err: unknown): WorkerReply {
  return { id, returned, error: replyError(err) };
}

function decodeReplying(data: DecodeMessage, kernels: Kernels): void {
  const returned = [data.encoded.buffer as ArrayBuffer];
  try {
    const out = decode(data, kernels);
    if (data.shared) {
      if (data.scratch) returned.push(data.scratch);
      scope.postMessage({ id: data.id, returned }, returned);
    } else {
      if (data.scratch && data.scratch !== out.buffer) returned.push(data.scratch);
      scope.postMessage({ id: data.id, returned, out }, [...returned, out.buffer as ArrayBuffer]);
    }
  } catch (err) {
    if (data.scratch) returned.push(data.scratch);
    scope.postMessage(errorReply(data.id, returned, err), returned);
  }
}

/** Does the batch's next item until none is left (the other workers take theirs from the same counter). */
function batchReplying({ id, control, task, input, sharedBytes }: BatchMessage, kernels: Kernels, tasks: Readonly<Record<string, SharedWorkerTask>>): void {
  const failures: { index: number; error: ReplyError }[] = [];
  let item: (index: number) => void;
  try {
    if (!Object.hasOwn(tasks, task)) throw new Error(`workers: no batch task is named ${task}`);
    item = tasks[task]!(kernels, input);
  } catch (err) {
    item = () => {
      throw err;
    };
  }
  const count = control.length - 1;
  for (let i = Atomics.add(control, 0, 1); i < count; i = Atomics.add(control, 0, 1)) {
    try {
      item(i);
      Atomics.store(control, 1 + i, 1);
    } catch (err) {
      failures.push({ index: i, error: replyError(err) });
    }
  }
  scope.postMessage({ id, returned: [], failures });
  countReceived(sharedBytes);
}

/** The most bytes countReceived stands for at once. */
const RECEIVED_COUNT_LIMIT = 256 << 20;

/**
 * Shared buffers a message brings stay alive in this worker until its next garbage collection, which V8 does not
 * hasten for them: it counts the memory of the buffers an isolate allocates, not of those it receives. Tensors
 * decoded on workers and dropped by the caller were then held until the archive closed (a stream of 150 tensors of
 * 1 MiB: 152 MiB alive, against 5 MiB on one thread). A buffer of as many bytes, allocated and dropped at once and
 * never written, makes V8 count them, and collect as it would had this worker allocated them.
 * Never written is not enough to cost nothing: a zero-filled ArrayBuffer under 32 MiB (glibc's largest mmap
 * threshold) comes from memory malloc reuses, which calloc then fills — getAll() on 2 workers, which brings a 16 MiB
 * buffer per batch, took 49 ms instead of 25. So Node counts with Buffer.allocUnsafeSlow (not filled: 0.05 ms per
 * 16 MiB); Deno, whose allocUnsafeSlow fills too (2.1 ms), gathers counts until they reach 32 MiB, which then come
 * as fresh pages; browsers map large buffers fresh, and count at once. (A resizable ArrayBuffer costs nothing either,
 * but V8 does not count it: the 80 MiB stream of open-stream-memory.node.test.ts kept more than 40 MiB alive.)
 */
function countReceived(bytes: number): void {
  if (bytes <= 0) return;
  uncounted += bytes;
  if (runtime === 'deno' && uncounted < FRESH_BYTES) return;
  const count = Math.min(uncounted, RECEIVED_COUNT_LIMIT);
  uncounted = 0;
  try {
    void (runtime === 'node' ? (globalThis as unknown as { Buffer: { allocUnsafeSlow(bytes: number): unknown } }).Buffer.allocUnsafeSlow(count) : new ArrayBuffer(count));
  } catch {
    // No room for even that address range: nothing to count it with.
  }
}

/** Bytes received and not counted yet (Deno). */
let uncounted = 0;
/** A zero-filled allocation of this many bytes or more is fresh pages from the system (glibc's largest mmap threshold). */
const FRESH_BYTES = 32 << 20;
const runtime = typeof (globalThis as { Deno?: unknown }).Deno === 'object' ? 'deno'
  : typeof (globalThis as { Buffer?: { allocUnsafeSlow?: unknown } }).Buffer?.allocUnsafeSlow === 'function' ? 'node' : 'browser';

/** This layer's batch task: chunks that decode into shared memory. */
const decodeChunks: SharedWorkerTask = (kernels, input) => {
  const chunks = input as ChunkJob[];
  return (i) => void decodeInto(kernels, chunks[i]!);
};

function runReplying(data: TaskMessage, kernels: Kernels, tasks: Readonly<Record<string, WorkerTask>>): void {
  try {
    const handler = Object.hasOwn(tasks, data.task) ? tasks[data.task]! : null;
    if (handler === null) throw new Error(`workers: no task is named ${data.task}`);
    const { result, transfer } = handler(kernels, data.input);
    scope.postMessage({ id: data.id, returned: data.buffers, result }, [...new Set([...data.buffers, ...transfer])]);
  } catch (err) {
    scope.postMessage(errorReply(data.id, data.buffers, err), data.buffers);
  }
}

/** Serves the pool's messages: chunks to decode, and the `tasks` and batch tasks (`shared`) the entry registers. */
export function serveWorker(tasks: Readonly<Record<string, WorkerTask>>, shared: Readonly<Record<string, SharedWorkerTask>>): void {
  const batchTasks = { ...shared, [DECODE_CHUNKS_TASK]: decodeChunks };
  let kernels: Kernels | undefined;
  scope.onmessage = ({ data }) => {
    if (data.type === 'init') kernels = new Kernels(new WebAssembly.Instance(data.module, {}));
    else if (data.type === 'decode') decodeReplying(data, kernels!);
    else if (data.type === 'batch') batchReplying(data, kernels!, batchTasks);
    else runReplying(data, kernels!, tasks);
  };
}
