// The code each worker runs (src/worker.ts registers the tasks of the layers above; scripts/build.mjs bundles it into
// generated/worker.ts): it instantiates its own kernel instance from the module the pool sends, then decodes chunks
// and runs tasks with the same functions as the main thread, so the bytes and the errors are the same.
import { decodeChunk, decodeChunkBytes } from '../codecs/pipeline/decode';
import { isTensorzipError } from '../errors';
import { Kernels } from '../wasm/kernels';
import type { DecodeMessage, InitMessage, TaskMessage, WorkerReply, WorkerTask } from './protocol';

interface WorkerScope {
  onmessage: ((event: { data: InitMessage | DecodeMessage | TaskMessage }) => void) | null;
  postMessage(message: WorkerReply, transfer?: ArrayBuffer[]): void;
}

const scope = globalThis as unknown as WorkerScope;

function decode(task: DecodeMessage, kernels: Kernels): Uint8Array {
  const { scratch, outBytes } = task;
  const out = task.shared ?? (scratch !== undefined && scratch.byteLength >= outBytes ? new Uint8Array(scratch, 0, outBytes) : new Uint8Array(outBytes));
  if (task.target === null) return decodeChunkBytes(kernels, task.encoded, task.stages, out, task.checksum);
  const values = new Float32Array(out.buffer, out.byteOffset, task.target.count);
  decodeChunk(kernels, task.encoded, task.stages, { ...task.target, out: values, checksum: task.checksum });
  return out;
}

function errorReply(id: number, returned: ArrayBuffer[], err: unknown): WorkerReply {
  const known = isTensorzipError(err);
  return { id, returned, error: { code: known ? err.code : null, message: err instanceof Error ? err.message : String(err), offset: known ? err.offset : undefined } };
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

/** Serves the pool's messages: chunks to decode, and the `tasks` the entry registers. */
export function serveWorker(tasks: Readonly<Record<string, WorkerTask>>): void {
  let kernels: Kernels | undefined;
  scope.onmessage = ({ data }) => {
    if (data.type === 'init') kernels = new Kernels(new WebAssembly.Instance(data.module, {}));
    else if (data.type === 'decode') decodeReplying(data, kernels!);
    else runReplying(data, kernels!, tasks);
  };
}
