// Interop with Debian's `lz4` tool, run for real: it decodes our frames, we decode its frames, and our frames stay
// within 2% of the size `lz4 -1` makes. Node only (the tool is a process).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILDS, equalBytes } from './helpers/engines';
import { corpus } from './helpers/data';
import { REAL_FILES, readRepoFile } from './helpers/files';

const lz4Tool = (args: string[], input: Uint8Array) =>
  new Uint8Array(execFileSync('lz4', args, { input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'ignore'] }));

const inputs: Record<string, Uint8Array> = corpus();
for (const path of REAL_FILES) inputs[path.split('/').pop()!] = await readRepoFile(path);

const TOOL_OPTIONS = [['-1'], ['-9'], ['-BD', '-B4'], ['--no-frame-crc', '-BX'], ['-BD', '-B5', '-BX'], ['-l'], ['--fast=5']];

describe.each(BUILDS)('the lz4 tool and tensorzip (%s build)', (_, { lz4 }) => {
  it.each(Object.keys(inputs))('lz4 -d decodes our frames of %s, with every option', (name) => {
    const input = inputs[name];
    for (const options of [{}, { blockChecksum: true, blockSize: 65536 }, { contentSize: false, contentChecksum: false, blockSize: 262144 }, { acceleration: 8 }]) {
      expect(equalBytes(lz4Tool(['-d', '-c'], lz4.compress(input, options)), input)).toBe(true);
    }
  });

  it.each(Object.keys(inputs))("we decode the tool's frames of %s, with every option", (name) => {
    const input = inputs[name];
    for (const args of TOOL_OPTIONS) {
      expect(equalBytes(lz4.decompress(lz4Tool([...args, '-c'], input)), input), args.join(' ')).toBe(true);
    }
  });

  it.each(Object.keys(inputs))("we decode the tool's --content-size frames of %s (read from a file)", (name) => {
    // From stdin the tool cannot know the size and silently leaves it out, so it must read a file.
    const dir = mkdtempSync(join(tmpdir(), 'tensorzip-'));
    try {
      const file = join(dir, 'input.bin');
      writeFileSync(file, inputs[name]);
      for (const args of [['-9', '--content-size'], ['-1', '--content-size', '-BD', '-B4', '-BX']]) {
        const frame = new Uint8Array(execFileSync('lz4', [...args, '-c', file], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] }));
        expect(frame[4] & 0x08, 'content-size flag').toBe(0x08);
        expect(equalBytes(lz4.decompress(frame), inputs[name]), args.join(' ')).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(Object.keys(inputs))('our frames of %s are within 2% of lz4 -1', (name) => {
    const input = inputs[name];
    const ours = lz4.compress(input).length;
    const tool = lz4Tool(['-1', '-c'], input).length;
    expect(ours).toBeLessThanOrEqual(Math.ceil(tool * 1.02));
  });
});
