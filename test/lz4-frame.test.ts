import { describe, expect, it } from 'vitest';
import * as lz4js from 'lz4js';
import { TensorzipError } from '../src/index';
import { BUILDS, equalBytes, hexBytes, scalarEngine, simdEngine } from './helpers/engines';
import { EDGE_SIZES, corpus, incompressible, mixed, random, textLike } from './helpers/data';
import { expectError } from './helpers/errors';
import { readRepoFile } from './helpers/files';
import { referenceXxh32 } from './reference/xxh32';

const CORPUS = corpus();
const GOLDEN = 'test/golden/lz4/';
const GOLDEN_FRAMES = ['cli-1.lz4', 'cli-9-content-size.lz4', 'cli-BD-B4.lz4', 'cli-no-frame-crc-BX.lz4',
  'cli-BD-B4-BX-content-size.lz4', 'cli-legacy.lz4'];
const goldenInput = await readRepoFile(GOLDEN + 'input.bin');
const goldenFrames = Object.fromEntries(await Promise.all(GOLDEN_FRAMES.map(async (name) => [name, await readRepoFile(GOLDEN + name)])));

const u32 = (value: number) => [value & 255, (value >>> 8) & 255, (value >>> 16) & 255, value >>> 24];
/** Builds a frame by hand: FLG, BD, optional content size, and blocks given as [sizeWord, bytes]. */
function handFrame(flg: number, bd: number, blocks: Uint8Array[], extra: number[] = []): Uint8Array {
  const descriptor = Uint8Array.from([flg, bd, ...extra]);
  const hc = (referenceXxh32(descriptor) >>> 8) & 255;
  return Uint8Array.from([...u32(0x184d2204), ...descriptor, hc, ...blocks.flatMap((b) => [...b]), 0, 0, 0, 0]);
}
const blockOf = (bytes: Uint8Array, stored = false) => Uint8Array.from([...u32(bytes.length + (stored ? 0x80000000 : 0)), ...bytes]);

describe.each(BUILDS)('LZ4 frames (%s build)', (_, { lz4 }) => {
  it('writes the frames the format spec gives as examples', () => {
    expect(lz4.compress(new Uint8Array(0), { contentSize: false })).toEqual(hexBytes('04 22 4D 18 64 40 A7 00 00 00 00 05 5D CC 02'));
    const hello = new TextEncoder().encode('hello');
    expect(lz4.compress(hello, { contentSize: false, contentChecksum: false })).toEqual(hexBytes('04 22 4D 18 60 40 82 05 00 00 80 68 65 6C 6C 6F 00 00 00 00'));
    // Descriptor checksums from the spec's table: FLG/BD 6C/40 with a zero content size → 09, 64/70 → B9.
    expect(lz4.compress(new Uint8Array(0)).subarray(4, 15)).toEqual(hexBytes('6C 40 00 00 00 00 00 00 00 00 09'));
    expect(lz4.compress(new Uint8Array(5_000_000), { contentSize: false }).subarray(4, 7)).toEqual(hexBytes('64 70 B9'));
  });

  it.each(Object.keys(CORPUS))('round-trips %s', (name) => {
    const frame = lz4.compress(CORPUS[name]);
    expect(equalBytes(lz4.decompress(frame), CORPUS[name])).toBe(true);
  });

  it('round-trips every option combination and edge size', () => {
    for (const blockSize of [65536, 262144, 1048576, 4194304]) {
      for (const flags of [0, 1, 2, 3, 4, 5, 6, 7]) {
        const options = { blockSize, blockChecksum: (flags & 1) === 1, contentChecksum: (flags & 2) === 2, contentSize: (flags & 4) === 4 };
        for (const size of [0, 1, 17, 65536, 65537, 300_000]) {
          const input = mixed(size, size + flags);
          const frame = lz4.compress(input, options);
          expect(equalBytes(lz4.decompress(frame), input)).toBe(true);
        }
      }
    }
    for (const size of EDGE_SIZES) {
      const input = textLike(size, size);
      expect(equalBytes(lz4.decompress(lz4.compress(input, { blockSize: 65536 })), input)).toBe(true);
    }
  });

  it('stores blocks that do not shrink, and compresses those that do', () => {
    const random = incompressible(100_000);
    const frame = lz4.compress(random, { blockSize: 65536, contentSize: false, contentChecksum: false });
    expect(frame.length).toBe(7 + 2 * 4 + 100_000 + 4); // header, two stored blocks, end mark
    expect(frame[7 + 3] & 0x80).toBe(0x80);
    expect(lz4.compress(CORPUS.text).length).toBeLessThan(CORPUS.text.length / 2);
  });

  it('accepts any ArrayBufferView or ArrayBuffer', () => {
    const floats = new Float32Array([1, 2, 3, 4, 1, 2, 3, 4]);
    const bytes = new Uint8Array(floats.buffer);
    expect(equalBytes(lz4.decompress(lz4.compress(floats as unknown as Uint8Array)), bytes)).toBe(true);
    expect(equalBytes(lz4.decompress(lz4.compress(floats.buffer as unknown as Uint8Array)), bytes)).toBe(true);
    expect(equalBytes(lz4.decompress(lz4.compress(bytes.subarray(4, 12))), bytes.subarray(4, 12))).toBe(true);
  });

  it('writes frames lz4js decodes, and decodes frames lz4js writes', () => {
    // lz4js 0.2.0 reads a block checksum before the block instead of after it (the spec's place), so it cannot read
    // block-checksummed frames from any writer; those are checked against the lz4 tool in lz4-cli.node.test.ts.
    for (const input of [CORPUS.text, CORPUS.structured, CORPUS.runs, new Uint8Array(0)]) {
      for (const contentSize of [false, true]) {
        const frame = lz4.compress(input, { contentSize, blockSize: 65536 });
        expect(equalBytes(Uint8Array.from(lz4js.decompress(frame)), input)).toBe(true);
      }
      expect(equalBytes(lz4.decompress(Uint8Array.from(lz4js.compress(input))), input)).toBe(true);
    }
  });

  it.each(GOLDEN_FRAMES)('decodes %s, made by the lz4 tool', (name) => {
    expect(equalBytes(lz4.decompress(goldenFrames[name]), goldenInput)).toBe(true);
  });

  it('decodes concatenated frames, with skippable frames between them', () => {
    const a = lz4.compress(CORPUS.text.subarray(0, 70_000));
    const b = goldenFrames['cli-BD-B4.lz4'];
    const skippable = Uint8Array.from([...u32(0x184d2a5f), ...u32(3), 1, 2, 3]);
    const emptySkippable = Uint8Array.from([...u32(0x184d2a50), ...u32(0)]);
    const all = Uint8Array.from([...skippable, ...a, ...emptySkippable, ...b, ...goldenFrames['cli-legacy.lz4'], ...a]);
    const expected = Uint8Array.from([...CORPUS.text.subarray(0, 70_000), ...goldenInput, ...goldenInput, ...CORPUS.text.subarray(0, 70_000)]);
    expect(equalBytes(lz4.decompress(all), expected)).toBe(true);
  });

  describe('bad frames', () => {
    const small = lz4.compress(textLike(3000), { blockChecksum: true, blockSize: 65536 });

    it('reports every truncation as TRUNCATED', () => {
      for (let cut = 0; cut < small.length; cut++) expectError(() => lz4.decompress(small.subarray(0, cut)), 'TRUNCATED');
      const linked = goldenFrames['cli-BD-B4.lz4'];
      for (let cut = 1; cut < linked.length; cut += 997) expectError(() => lz4.decompress(linked.subarray(0, cut)), 'TRUNCATED');
    });

    it('reports every single-bit flip of a checksummed frame, never a wrong result', () => {
      for (let bit = 0; bit < small.length * 8; bit++) {
        const broken = small.slice();
        broken[bit >> 3] ^= 1 << (bit & 7);
        expect(() => lz4.decompress(broken), `bit ${bit}`).toThrow(TensorzipError);
      }
    });

    it('refuses a wrong magic number, reserved bits and unknown versions', () => {
      const frame = lz4.compress(textLike(500));
      const with_ = (at: number, value: number) => { const f = frame.slice(); f[at] = value; return f; };
      expect(expectError(() => lz4.decompress(with_(0, 0x05)), 'CORRUPT').message).toMatch(/magic/);
      expectError(() => lz4.decompress(handFrame(0x62, 0x40, [])), 'CORRUPT'); // FLG bit 1 reserved
      expectError(() => lz4.decompress(handFrame(0x60, 0xc0, [])), 'CORRUPT'); // BD bit 7 reserved
      expectError(() => lz4.decompress(handFrame(0x60, 0x41, [])), 'CORRUPT'); // BD low bits reserved
      expectError(() => lz4.decompress(handFrame(0x60, 0x30, [])), 'CORRUPT'); // block size id 3
      expectError(() => lz4.decompress(handFrame(0xa0, 0x40, [])), 'UNSUPPORTED'); // version 2
      expectError(() => lz4.decompress(handFrame(0x61, 0x40, [], [1, 0, 0, 0])), 'UNSUPPORTED'); // dictionary
      expect(equalBytes(lz4.decompress(handFrame(0x60, 0x40, [blockOf(Uint8Array.of(7, 8), true)])), Uint8Array.of(7, 8))).toBe(true);
    });

    it('checks header, block and content checksums', () => {
      const frame = lz4.compress(textLike(5000), { blockChecksum: true });
      const flip = (at: number) => { const f = frame.slice(); f[at] ^= 0x10; return f; };
      expectError(() => lz4.decompress(flip(14)), 'CHECKSUM'); // header checksum byte
      expectError(() => lz4.decompress(flip(frame.length - 10)), 'CHECKSUM'); // last block's checksum
      expectError(() => lz4.decompress(flip(frame.length - 1)), 'CHECKSUM'); // content checksum
    });

    it('refuses blocks larger than the declared maximum', () => {
      const big = new Uint8Array(65537);
      expect(expectError(() => lz4.decompress(handFrame(0x60, 0x40, [blockOf(big, true)])), 'CORRUPT').message).toMatch(/block maximum/);
      // A compressed block that decodes to more than 64 KiB.
      const block = lz4.compressBlock(new Uint8Array(70_000));
      expectError(() => lz4.decompress(handFrame(0x60, 0x40, [blockOf(block)])), 'CORRUPT');
    });

    it('refuses matches that reach before the output', () => {
      expectError(() => lz4.decompress(handFrame(0x60, 0x40, [blockOf(hexBytes('10 61 05 00 00'))])), 'CORRUPT');
      // Independent blocks may not reach into the previous block; linked ones may.
      const first = blockOf(new TextEncoder().encode('abcd'), true);
      const second = blockOf(hexBytes('00 04 00 00')); // a 4-byte match 4 back, then no literals
      expectError(() => lz4.decompress(handFrame(0x60, 0x40, [first, second])), 'CORRUPT');
      expect(new TextDecoder().decode(lz4.decompress(handFrame(0x40, 0x40, [first, second])))).toBe('abcdabcd');
    });

    it('refuses content sizes that disagree with the blocks, before allocating impossible ones', () => {
      const sized = (n: number, blocks: Uint8Array[]) => handFrame(0x68, 0x40, blocks, [...u32(n), 0, 0, 0, 0]);
      const data = blockOf(Uint8Array.of(1, 2, 3), true);
      expect(lz4.decompress(sized(3, [data])).length).toBe(3);
      expectError(() => lz4.decompress(sized(4, [data])), 'CORRUPT');
      expectError(() => lz4.decompress(sized(2, [data])), 'CORRUPT');
      // Sizes the rest of the input cannot possibly hold fail before any allocation.
      expect(expectError(() => lz4.decompress(sized(2 ** 31 - 2, [data]), { maxOutputSize: 2 ** 31 - 1 }), 'TRUNCATED').message).toMatch(/declares/);
      const huge = handFrame(0x68, 0x40, [data], [0, 0, 0, 0, 0, 1, 0, 0]); // 2^40 bytes
      expectError(() => lz4.decompress(huge), 'TRUNCATED');
    });

    it('stops at maxOutputSize with LIMIT', () => {
      const input = textLike(200_000);
      for (const contentSize of [true, false]) {
        const frame = lz4.compress(input, { contentSize, blockSize: 65536 });
        expectError(() => lz4.decompress(frame, { maxOutputSize: 199_999 }), 'LIMIT');
        expectError(() => lz4.decompress(frame, { maxOutputSize: 1000 }), 'LIMIT');
        expect(lz4.decompress(frame, { maxOutputSize: 200_000 }).length).toBe(200_000);
      }
      expectError(() => lz4.decompress(goldenFrames['cli-legacy.lz4'], { maxOutputSize: 100 }), 'LIMIT');
    });

    it('refuses bad arguments with ARGUMENT', () => {
      expectError(() => lz4.compress(new Uint8Array(1), { blockSize: 1000 }), 'ARGUMENT');
      expectError(() => lz4.compress(null as unknown as Uint8Array), 'ARGUMENT');
      expectError(() => lz4.decompress(small, { maxOutputSize: -5 }), 'ARGUMENT');
      expectError(() => lz4.decompress([1, 2, 3] as unknown as Uint8Array), 'ARGUMENT');
    });

    it('answers random mutations with a TensorzipError or with bytes, never anything else', () => {
      const next = random(7);
      const frames = [lz4.compress(mixed(20_000, 1), { blockSize: 65536 }), goldenFrames['cli-BD-B4.lz4'].subarray(0, 20_000),
        lz4.compress(mixed(20_000, 2), { contentChecksum: false, contentSize: false })];
      for (let round = 0; round < 600; round++) {
        const frame = frames[round % frames.length].slice();
        for (let f = 0; f < 1 + next() * 6; f++) frame[Math.floor(next() * frame.length)] = Math.floor(next() * 256);
        try {
          expect(lz4.decompress(frame, { maxOutputSize: 1 << 22 })).toBeInstanceOf(Uint8Array);
        } catch (err) {
          expect(err).toBeInstanceOf(TensorzipError);
        }
      }
    });
  });
});

describe('SIMD and scalar frames', () => {
  it('are byte-identical and decode each other', () => {
    for (const input of Object.values(CORPUS)) {
      const a = simdEngine.lz4.compress(input, { blockChecksum: true, blockSize: 262144 });
      const b = scalarEngine.lz4.compress(input, { blockChecksum: true, blockSize: 262144 });
      expect(equalBytes(a, b)).toBe(true);
      expect(equalBytes(scalarEngine.lz4.decompress(a), input)).toBe(true);
    }
  });
});
