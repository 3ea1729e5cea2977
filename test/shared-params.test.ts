// SharedParams: the scales and zero points workers read, every tensor's in one SharedArrayBuffer, copied once.
import { describe, expect, it } from 'vitest';
import { SharedParams } from '../src/format/shared-params';
import type { TensorEntry } from '../src/format/index-document';

/** An index entry with a parameter block of `length` bytes (or none): all SharedParams reads. */
const entry = (length: number | null) => ({ stored: { params: length === null ? null : { offset: 0, length, checksum: 0 } } }) as unknown as TensorEntry;

describe.skipIf(typeof SharedArrayBuffer !== 'function')('SharedParams', () => {
  it("puts every tensor's parameters in one shared buffer, each once, at its own place, with its values", () => {
    const a = entry(5 * 3);
    const b = entry(4 * 5);
    const none = entry(null);
    const shared = new SharedParams([a, none, b]);
    const aParams = { scale: Float32Array.of(0.5, 1.5, 2.5), zeroPoint: Uint8Array.of(1, 2, 3) };
    const bParams = { scale: Float32Array.of(3, 4, 5, 6, 7), zeroPoint: null };
    const sa = shared.share(a, aParams);
    const sb = shared.share(b, bParams);
    expect(sa.scale.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(sb.scale.buffer).toBe(sa.scale.buffer);
    expect(sa.zeroPoint!.buffer).toBe(sa.scale.buffer);
    expect([...sa.scale]).toEqual([0.5, 1.5, 2.5]);
    expect([...sa.zeroPoint!]).toEqual([1, 2, 3]);
    expect(sa.zeroPoint).toBeInstanceOf(Uint8Array);
    expect([...sb.scale]).toEqual([3, 4, 5, 6, 7]);
    expect(sb.zeroPoint).toBeNull();
    // Disjoint, 16-byte aligned.
    expect(sa.zeroPoint!.byteOffset).toBe(sa.scale.byteOffset + 12);
    expect(sb.scale.byteOffset).toBeGreaterThanOrEqual(sa.zeroPoint!.byteOffset + 3);
    expect(sb.scale.byteOffset % 16).toBe(0);
    // The second time, the same views (no copy); the values given then are not read.
    expect(shared.share(a, { scale: Float32Array.of(9, 9, 9), zeroPoint: Uint8Array.of(9, 9, 9) })).toBe(sa);
    expect([...sa.scale]).toEqual([0.5, 1.5, 2.5]);
    // Signed zero points stay signed.
    const c = entry(5 * 2);
    const sc = new SharedParams([c]).share(c, { scale: Float32Array.of(1, 2), zeroPoint: Int8Array.of(-3, 4) });
    expect(sc.zeroPoint).toBeInstanceOf(Int8Array);
    expect([...sc.zeroPoint!]).toEqual([-3, 4]);
  });

  it('a tensor without a parameter block keeps what it was given', () => {
    const none = entry(null);
    const params = { scale: Float32Array.of(1), zeroPoint: null };
    expect(new SharedParams([none]).share(none, params)).toBe(params);
  });
});
