// Writes test/golden/v1.2/regroup.tzip, a file of format version 1.2 using its regroup stage (each followed by a
// huffman stage with a code per group), and for each tensor the values it must decode to, as regroup-<name>.npy. Run
// by hand after `npm run build` (`node scripts/make-golden-tzip-1.2-regroup.mjs`), never in CI: the files are frozen.
// The data is shaped so that pack() picks the stage (the script checks it did). Prefix byte 5 is set to minor
// version 2 with its checksum (the xxh32 of bytes 0–27, taken from an LZ4 frame's content checksum of them).
import { mkdirSync, writeFileSync } from 'node:fs';
import { lz4, npy, open, pack } from '../dist/index.mjs';

const dir = new URL('../test/golden/v1.2/', import.meta.url);
mkdirSync(dir, { recursive: true });

let seed = 1202;
const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
const normal = () => next() + next() + next() - 1.5;
/** Codes around 128 with a spread per channel (⌊i / run⌋ mod channels) from a shuffled ladder. */
const codes = (count, channels, run) => {
  const spread = Array.from({ length: channels }, (_, c) => 1 + ((c * 37) % channels) * (40 / channels));
  return Uint8Array.from({ length: count }, (_, i) => Math.max(0, Math.min(255, 128 + Math.round(normal() * spread[Math.floor(i / run) % channels]))));
};

const tensors = {
  // HWIO codes, channels last (run 1).
  'conv.kernel': { dtype: 'uint8', shape: [3, 3, 32, 48], data: codes(3 * 3 * 32 * 48, 48, 1) },
  // HWC1 depthwise codes: the channels are axis 2, the last axis of 1 is passed over.
  'depthwise.kernel': { dtype: 'uint8', shape: [15, 15, 64, 1], data: codes(15 * 15 * 64, 64, 1) },
};
const options = { chunkBytes: 65536, quantize: 'lossless', metadata: { golden: 'v1.2 regroup' } };

const file = await pack(tensors, options);
const archive = await open(file);
const shown = (t) => t.pipeline.map((s) => s.codec + (s.groups ?? s.planes ?? '')).join('+');
for (const t of archive.tensors) if (t.pipeline[0]?.codec !== 'regroup') throw new Error(`${t.name}: pack chose ${shown(t)}, the golden file wants a regroup stage`);
file[5] = 2;
const frame = lz4.compress(file.subarray(0, 28), { contentChecksum: true });
file.set(frame.subarray(frame.length - 4), 28);
await open(file); // the prefix checksum holds
writeFileSync(new URL('regroup.tzip', dir), file);
for (const t of archive.tensors) {
  const { dtype, shape, data } = await archive.get(t.name);
  writeFileSync(new URL(`regroup-${t.name}.npy`, dir), npy.write({ dtype, shape, data }));
}
console.log(archive.tensors.map((t) => `${t.name}: ${t.storedDtype} ${JSON.stringify(t.pipeline)} ${t.encodedBytes} B`).join('\n'));
