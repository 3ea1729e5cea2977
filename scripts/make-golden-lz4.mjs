// Regenerates test/golden/lz4/: an input of text-like and binary data, and the frames Debian's `lz4` tool makes of it
// with the options the tests name. Run by hand (`node scripts/make-golden-lz4.mjs`), never in CI; the files are frozen.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = new URL('../test/golden/lz4/', import.meta.url);
mkdirSync(dir, { recursive: true });

// 140 KB: longer than two 64 KB blocks, so linked blocks reach back into earlier ones.
let seed = 12345;
const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
const words = 'tensor weight layer float block frame chunk decode encode stream model the of and to in'.split(' ');
let text = '';
while (text.length < 100_000) text += words[Math.floor(next() * words.length)] + (next() < 0.1 ? '\n' : ' ');
const binary = new Uint8Array(40_000);
for (let i = 0; i < binary.length; i++) binary[i] = i % 64 < 40 ? (i >> 6) & 0xff : Math.floor(next() * 256);
const input = new Uint8Array(140_000);
input.set(new TextEncoder().encode(text.slice(0, 100_000)));
input.set(binary, 100_000);
writeFileSync(new URL('input.bin', dir), input);

export const FRAMES = {
  'cli-1.lz4': ['-1'],
  'cli-9-content-size.lz4': ['-9', '--content-size'],
  'cli-BD-B4.lz4': ['-BD', '-B4'],
  'cli-no-frame-crc-BX.lz4': ['--no-frame-crc', '-BX'],
  'cli-BD-B4-BX-content-size.lz4': ['-BD', '-B4', '-BX', '--content-size'],
  'cli-legacy.lz4': ['-l'],
};
const version = execFileSync('lz4', ['--version']).toString().trim();
for (const [name, args] of Object.entries(FRAMES)) {
  // From the file, not stdin: the tool can record a content size only when it knows the size up front.
  writeFileSync(new URL(name, dir), execFileSync('lz4', [...args, '-c', fileURLToPath(new URL('input.bin', dir))], { stdio: ['ignore', 'pipe', 'ignore'] }));
}
writeFileSync(
  new URL('README.md', dir),
  `# LZ4 golden frames\n\nMade by \`node scripts/make-golden-lz4.mjs\` with ${version}, from \`input.bin\`:\n\n` +
    Object.entries(FRAMES).map(([name, args]) => `- \`${name}\`: \`lz4 ${args.join(' ')} -c input.bin\``).join('\n') +
    '\n\nFrozen: tests decode them in every runtime and compare with `input.bin`.\n',
);
