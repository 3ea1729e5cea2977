// npm run demo [file]: compresses a real file (by default one an installed npm package ships) into an LZ4 frame and
// back with both builds, checks the round trip, and prints the ratio and MB/s.
import { readFileSync } from 'node:fs';
import { createEngine } from '../dist/index.mjs';

const path = process.argv[2] ?? 'node_modules/assemblyscript/dist/assemblyscript.js';
const input = new Uint8Array(readFileSync(path));
console.log(`tensorzip demo: ${path} (${input.length.toLocaleString('en')} bytes)\n`);

function measure(fn) {
  // Repeat for about half a second and report the median call, in MB/s of uncompressed bytes.
  const times = [];
  const until = performance.now() + 500;
  do {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  } while (performance.now() < until || times.length < 5);
  times.sort((a, b) => a - b);
  return input.length / 1e3 / times[times.length >> 1];
}

for (const simd of [true, false]) {
  const { lz4 } = await createEngine({ simd });
  const frame = lz4.compress(input);
  const back = lz4.decompress(frame);
  if (back.length !== input.length || back.some((b, i) => b !== input[i])) throw new Error('round trip failed');
  const compressMBs = measure(() => lz4.compress(input));
  const decompressMBs = measure(() => lz4.decompress(frame));
  console.log(`${simd ? 'SIMD  ' : 'scalar'} build: ${frame.length.toLocaleString('en')} bytes, ratio ${(input.length / frame.length).toFixed(3)}, ` +
    `compress ${compressMBs.toFixed(0)} MB/s, decompress ${decompressMBs.toFixed(0)} MB/s, round trip exact`);
}
