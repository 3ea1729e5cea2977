// npy.read on any bytes: what it accepts has a consistent tensor, and npy.write of it reads to the same tensor.
// The seed corpus holds files numpy itself wrote.
import { npy as reader } from '../../../src/index';
import { attempt, DAMAGED_DATA, expectConsistent, expectSame, FuzzFailure, offsetView, sameOutcome, type FuzzTarget } from '../target';

export const npy: FuzzTarget = {
  name: 'npy',
  async seeds() {
    return [
      reader.write({ dtype: 'float32', shape: [2, 3], data: Float32Array.of(1, 2, 3, -4, 0.5, NaN) }),
      reader.write({ dtype: 'uint16', shape: [2, 1, 3, 1, 2], data: Uint16Array.from({ length: 12 }, (_, i) => i) }),
    ];
  },
  async run(_, bytes) {
    const a = await attempt(() => reader.read(offsetView(bytes)), DAMAGED_DATA, 'npy.read', bytes.length, 4);
    sameOutcome(a, await attempt(() => reader.read(bytes), DAMAGED_DATA, 'npy.read at offset 0', bytes.length, 4), 'npy.read', ['at offset 7', 'at offset 0']);
    if (!a.ok) return a.outcome;
    expectConsistent('array', a.value, 'npy.read');
    const again = await attempt(() => reader.read(reader.write(a.value)), DAMAGED_DATA, 'npy write+read', bytes.length, 8);
    if (!again.ok) throw new FuzzFailure(`npy: what read gives, write+read refuses: ${again.outcome}`);
    expectSame(again.value, a.value, 'npy: write+read differs from read');
    return 'OK';
  },
};
