// The scales and zero points of an archive's tensors in shared memory, for workers to read while they dequantize:
// every tensor's in one SharedArrayBuffer, copied there the first time the tensor decodes on workers. A batch of
// chunks then carries one buffer of parameters rather than one per tensor, and a browser spends time on every
// buffer a message carries (Chromium decoded pack()'s int8 face-api on 2 workers at 1.09x one thread with a buffer
// per tensor's scales, against 1.37x for the same model lossless).
import { hasSharedMemory, sharedArray } from '../parallel/shared';
import type { TensorEntry } from './index-document';

interface Params {
  scale: Float32Array;
  zeroPoint: Int8Array | Uint8Array | null;
}

export class SharedParams {
  /** Where each tensor's parameters go in the block: its parameter block's length is room for both. */
  private readonly slots = new Map<TensorEntry, number>();
  private readonly shared = new Map<TensorEntry, Params>();
  private block: Uint8Array | null = null;
  private readonly bytes: number;

  constructor(tensors: readonly TensorEntry[]) {
    let at = 0;
    for (const t of tensors) {
      if (t.stored.params === null) continue;
      this.slots.set(t, at);
      at += Math.ceil(t.stored.params.length / 16) * 16;
    }
    this.bytes = at;
  }

  /** `entry`'s parameters (checked by the caller) in shared memory, or as they are where the runtime has none. */
  share(entry: TensorEntry, params: Params): Params {
    const slot = this.slots.get(entry);
    if (!hasSharedMemory() || slot === undefined) return params;
    const known = this.shared.get(entry);
    if (known !== undefined) return known;
    this.block ??= sharedArray(Uint8Array, this.bytes);
    const { buffer, byteOffset } = this.block as Uint8Array<ArrayBuffer>;
    const scale = new Float32Array(buffer, byteOffset + slot, params.scale.length);
    scale.set(params.scale);
    let zeroPoint: Int8Array | Uint8Array | null = null;
    if (params.zeroPoint !== null) {
      const Type = params.zeroPoint instanceof Int8Array ? Int8Array : Uint8Array;
      zeroPoint = new Type(buffer, byteOffset + slot + scale.byteLength, params.zeroPoint.length);
      zeroPoint.set(params.zeroPoint);
    }
    const shared = { scale, zeroPoint };
    this.shared.set(entry, shared);
    return shared;
  }
}
