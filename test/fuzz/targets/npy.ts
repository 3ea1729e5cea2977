// npy.read on any bytes: what it accepts has a consistent tensor, and npy.write of it reads to the same tensor.
// The seed corpus holds files numpy itself wrote.
import { npy as reader } from '../../../src/index';
import { attempt, DAMAGED_DATA, expectConsistent, expectSame, FuzzFailure, offsetView, sameOutcome, type FuzzTarget, type JsonSpan } from '../target';

/** The header dict, as JSON for the structure-aware mutator ({'shape': (2, 3), …} ↔ {"shape": [2, 3], …}); edited text
 *  goes back as a Python literal, padded to 64 bytes as numpy pads it (version 2 when it no longer fits 16 bits). */
function json(bytes: Uint8Array): JsonSpan | undefined {
  if (bytes.length < 10 || bytes[0] !== 0x93) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const wide = bytes[6] !== 1;
  const start = wide ? 12 : 10;
  if (bytes.length < start) return undefined;
  const end = start + (wide ? view.getUint32(8, true) : view.getUint16(8, true));
  if (end > bytes.length) return undefined;
  const python = new TextDecoder().decode(bytes.subarray(start, end));
  const text = python.replace(/'/g, '"').replace(/\bTrue\b/g, 'true').replace(/\bFalse\b/g, 'false').replace(/\bNone\b/g, 'null')
    .replace(/\(/g, '[').replace(/\)/g, ']').replace(/,\s*([\]}])/g, '$1');
  return {
    text,
    rebuild(edited) {
      const literal = edited.replace(/"/g, "'").replace(/\btrue\b/g, 'True').replace(/\bfalse\b/g, 'False').replace(/\bnull\b/g, 'None')
        .replace(/\[\]/g, '()').replace(/\[([^[\],]+)\]/g, '($1,)').replace(/\[/g, '(').replace(/\]/g, ')')
        .replace(/,(?!\))/g, ', ').replace(/':/g, "': ").replace(/}$/, ', }'); // numpy's spacing
      const body = new TextEncoder().encode(literal);
      const long = body.length + 12 > 0xffff;
      const head = long ? 12 : 10;
      const padded = Math.ceil((head + body.length + 1) / 64) * 64;
      const out = new Uint8Array(padded + bytes.length - end).fill(0x20);
      out.set(bytes.subarray(0, 8));
      out[6] = long ? 2 : 1;
      const lengthView = new DataView(out.buffer);
      if (long) lengthView.setUint32(8, padded - head, true);
      else lengthView.setUint16(8, padded - head, true);
      out.set(body, head);
      out[padded - 1] = 0x0a;
      out.set(bytes.subarray(end), padded);
      return out;
    },
  };
}

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
  json,
};
