// The code each worker runs (bundled by scripts/build.mjs into generated/worker.ts): it instantiates its own kernel
// instance from the module the pool sends, then decodes chunks with the same functions as the main thread, so the
// bytes and the errors are the same.
import { decodeChunk, decodeChunkBytes } from '../codecs/pipeline/decode';
import { isTensorzipError } from '../errors';
import { Kernels } from '../wasm/kernels';
import type { DecodeMessage, InitMessage, WorkerReply } from './protocol';

interface WorkerScope {
  onmessage: ((event: { data: InitMessage | DecodeMessage }) => void) | null;
  postMessage(message: WorkerReply, transfer?: ArrayBuffer[]): void;
}

const scope = globalThis as unknown as WorkerScope;
let kernels: Kernels | undefined;

function decode(task: DecodeMessage, kernels: Kernels): Uint8Array {
  const { scratch, outBytes } = task;
  const out = task.shared ?? (scratch !== undefined && scratch.byteLength >= outBytes ? new Uint8Array(scratch, 0, outBytes) : new Uint8Array(outBytes));
  if (task.target === null) return decodeChunkBytes(kernels, task.encoded, task.stages, out, task.checksum);
  const values = new Float32Array(out.buffer, out.byteOffset, task.target.count);
  decodeChunk(kernels, task.encoded, task.stages, { ...task.target, out: values, checksum: task.checksum });
  return out;
}

scope.onmessage = ({ data }) => {
  if (data.type === 'init') {
    kernels = new Kernels(new WebAssembly.Instance(data.module, {}));
    return;
  }
  const returned = [data.encoded.buffer as ArrayBuffer];
  try {
    const out = decode(data, kernels!);
    if (data.shared) {
      if (data.scratch) returned.push(data.scratch);
      scope.postMessage({ id: data.id, returned }, returned);
    } else {
      if (data.scratch && data.scratch !== out.buffer) returned.push(data.scratch);
      scope.postMessage({ id: data.id, returned, out }, [...returned, out.buffer as ArrayBuffer]);
    }
  } catch (err) {
    if (data.scratch) returned.push(data.scratch);
    const known = isTensorzipError(err);
    scope.postMessage({ id: data.id, returned, error: { code: known ? err.code : null, message: err instanceof Error ? err.message : String(err), offset: known ? err.offset : undefined } }, returned);
  }
};
