// Format 1.3: the compressed index (prefix flag bit 0) and packed chunks (bit 1), in both layouts, judged by the
// reference reader of test/reference/index-1.3.ts; hostile compressed indexes and unknown flag bits give typed errors.
import { describe, expect, it } from 'vitest';
import type { Engine, TensorInput } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { random } from './helpers/data';
import { tensorEntry, tzipFile } from './helpers/tzip-builder';
import { referenceReadIndex } from './reference/index-1.3';
import { referenceXxh32 } from './reference/xxh32';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Many small tensors (a TF.js model's biases and scales) and one larger one: an index worth compressing. */
function model(): Record<string, TensorInput> {
  const next = random(41);
  const tensors: Record<string, TensorInput> = {};
  for (let k = 0; k < 40; k++) {
    tensors[`block_${k}/conv/bias`] = { dtype: 'float32', shape: [17 + k], data: Float32Array.from({ length: 17 + k }, () => next() - 0.5) };
    tensors[`block_${k}/bn/scale`] = { dtype: 'int8', shape: [9], data: Int8Array.from({ length: 9 }, () => Math.floor(next() * 256) - 128) };
  }
  tensors['head/kernel'] = { dtype: 'float32', shape: [96, 64], data: Float32Array.from({ length: 96 * 64 }, () => (next() + next() - 1) * 0.1) };
  return tensors;
}

async function outcome(engine: Engine, file: Uint8Array, options: Record<string, number> = {}): Promise<string> {
  try {
    await (await engine.open(file, options)).getAll();
    return 'OK';
  } catch (err) {
    return (err as Error).name === 'TensorzipError' ? (err as { code: string }).code : `untyped ${String(err).slice(0, 200)}`;
  }
}

async function streamed(engine: Engine, tensors: Record<string, TensorInput>, options: { compact?: boolean } = {}): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const writer = engine.createWriter({ write: (p: Uint8Array) => void parts.push(p.slice()) }, { chunkBytes: 4096, quantize: 'lossless', ...options });
  for (const [name, t] of Object.entries(tensors)) await writer.add(name, t);
  await writer.finish();
  const file = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (file.set(p, at), at + p.length), 0);
  return file;
}

/** The stored form FORMAT.md gives a compressed index: u32 D, then an entropy block of one LZ4 block of the JSON. */
function compressed(engine: Engine, json: Uint8Array, declared = json.length): Uint8Array {
  const block = engine.entropy.encode(engine.lz4.compressBlock(json));
  const stored = new Uint8Array(4 + block.length);
  new DataView(stored.buffer).setUint32(0, declared, true);
  stored.set(block, 4);
  return stored;
}

describe.each(BUILDS)('format 1.3: compressed index and packed chunks (%s build)', (_, engine) => {
  const tensors = model();

  async function expectSameTensors(file: Uint8Array) {
    const archive = await engine.open(file);
    expect(archive.tensors.map((t) => t.name)).toEqual(Object.keys(tensors));
    for (const [name, t] of Object.entries(tensors)) {
      if (!equalBytes(bytesOf((await archive.get(name)).data), bytesOf(t.data))) expect.fail(`"${name}" differs`);
    }
  }

  it('pack() compresses the index and packs the chunks by default; compact: false writes the 1.2 layout', async () => {
    const file = await engine.pack(tensors, { chunkBytes: 4096, quantize: 'lossless' });
    const legacy = await engine.pack(tensors, { chunkBytes: 4096, quantize: 'lossless', compact: false });
    const read = referenceReadIndex(file);
    const plain = referenceReadIndex(legacy);
    expect([file[4], file[5], read.flags]).toEqual([1, 3, 3]);
    expect(plain.flags).toBe(0);
    expect(read.storedLength).toBeLessThan(read.json.length / 2);
    expect(plain.storedLength).toBe(plain.json.length);
    const offsets = (index: typeof read.index) => index.tensors.flatMap((t) => (t.chunks as number[][]).map((c) => c[0]));
    expect(offsets(read.index).some((o) => o % 64 !== 0)).toBe(true);
    expect(offsets(plain.index).every((o) => o % 64 === 0)).toBe(true);
    expect(file.length).toBeLessThan(legacy.length - (plain.storedLength - read.storedLength));
    await expectSameTensors(file);
    await expectSameTensors(legacy);
  });

  it('pack() keeps a plain index when compressing would not shrink it', async () => {
    const file = await engine.pack({}); // a few bytes of JSON: LZ4's and the block's headers cost more than they save
    const read = referenceReadIndex(file);
    expect(compressed(engine, read.json).length).toBeGreaterThanOrEqual(read.json.length);
    expect(read.flags).toBe(2);
    expect(read.storedLength).toBe(read.json.length);
    expect((await engine.open(file)).tensors).toEqual([]);
  });

  it('ContainerWriter (index last) writes a compressed index and packed chunks, or the 1.2 layout with compact: false', async () => {
    const file = await streamed(engine, tensors);
    const read = referenceReadIndex(file);
    expect(read.flags).toBe(3);
    expect(new DataView(file.buffer).getBigUint64(8, true)).toBe(0n);
    expect(read.storedLength).toBeLessThan(read.json.length / 2);
    await expectSameTensors(file);
    const legacy = await streamed(engine, tensors, { compact: false });
    expect(referenceReadIndex(legacy).flags).toBe(0);
    await expectSameTensors(legacy);
    // An empty file's index is compressed too (the flags came first): a few bytes longer, still read.
    const empty = await streamed(engine, {});
    expect(referenceReadIndex(empty).flags).toBe(3);
    expect((await engine.open(empty)).tensors).toEqual([]);
  });

  it('chunks may start anywhere with flag bit 1, only at multiples of 64 without it', async () => {
    const chunk = Uint8Array.of(5, 6, 7);
    const build = (flags: number) => {
      const file = tzipFile((at: number) => ({ tensors: [tensorEntry('t', 'uint8', [3], [[at + 3, 3, referenceXxh32(chunk)]])] }), Uint8Array.of(0, 0, 0, 5, 6, 7), { flags });
      return file;
    };
    expect(await outcome(engine, build(2))).toBe('OK');
    expect((await (await engine.open(build(2))).get('t')).data).toEqual(chunk);
    expect(await outcome(engine, build(0))).toBe('CORRUPT');
  });

  it('names flag bits it does not know with UNSUPPORTED (bit 2 is an encrypted archive, 1.4)', async () => {
    const json = { tensors: [] };
    for (let bit = 3; bit < 16; bit++) {
      const err = await engine.open(tzipFile(json, undefined, { flags: 1 << bit })).catch((e: Error) => e);
      expect(err, `bit ${bit}`).toMatchObject({ name: 'TensorzipError', code: 'UNSUPPORTED' });
      expect((err as Error).message).toContain(`bit ${bit}`);
    }
  });

  describe('hostile compressed indexes (checksums right, so the decoder is reached)', () => {
    const json = new TextEncoder().encode(JSON.stringify({ tensors: [tensorEntry('w', 'int8', [0], [])], metadata: { note: 'a'.repeat(300) } }));
    const file = (stored: Uint8Array, options: { flags?: number } = {}) => tzipFile(null, undefined, { flags: options.flags ?? 1, storedIndex: stored });

    it('a well-formed one reads', async () => {
      expect(await outcome(engine, file(compressed(engine, json)))).toBe('OK');
      expect((await engine.open(file(compressed(engine, json)))).metadata).toEqual({ note: 'a'.repeat(300) });
    });

    it('a lying or oversized decoded length, a short or damaged block: typed errors, nothing allocated for the lie', async () => {
      const good = compressed(engine, json);
      const block = good.subarray(4);
      const withBlockLength = (n: number) => {
        const copy = good.slice();
        new DataView(copy.buffer).setUint32(5, n, true);
        return copy;
      };
      const cases: [string, Uint8Array, string, Record<string, number>?][] = [
        ['D = 0', compressed(engine, json, 0), 'CORRUPT'],
        ['D one more than the JSON', compressed(engine, json, json.length + 1), 'CORRUPT'],
        ['D one less than the JSON', compressed(engine, json, json.length - 1), 'CORRUPT'],
        ['D far past what its LZ4 block can hold (60 MiB, under the 64 MiB limit)', compressed(engine, json, 60 << 20), 'CORRUPT'],
        ['D of 2^32 − 1', compressed(engine, json, 0xffffffff), 'LIMIT'],
        ['D over maxIndexBytes while the stored index is under it', good, 'LIMIT', { maxIndexBytes: json.length - 1 }],
        ['an entropy block declaring an LZ4 block longer than LZ4 bound of D', withBlockLength(json.length * 2), 'CORRUPT'],
        ['an entropy block declaring 2^32 − 1 bytes', withBlockLength(0xffffffff), 'CORRUPT'],
        ['only the 4-byte length', good.subarray(0, 4), 'TRUNCATED'],
        ['nothing', new Uint8Array(0), 'TRUNCATED'],
        ['the block cut short', good.subarray(0, good.length - 3), 'TRUNCATED'],
        ['a byte after the block', Uint8Array.from([...good, 0]), 'CORRUPT'],
        ['an unknown block mode', Uint8Array.from([...good.subarray(0, 4), 7, ...block.subarray(1)]), 'CORRUPT'],
      ];
      for (const [what, stored, code, options] of cases) expect(await outcome(engine, file(stored), options), what).toBe(code);
      expect(await outcome(engine, file(json)), 'flag bit 0 on a plain JSON index').toMatch(/^(CORRUPT|LIMIT|TRUNCATED)$/);
      expect(await outcome(engine, file(good, { flags: 0 })), 'a compressed index without flag bit 0').toBe('CORRUPT');
    });

    it('every bit flip of a small compressed index gives the index back or a typed error', async () => {
      const small = new TextEncoder().encode(JSON.stringify({ tensors: [], metadata: { a: 'bbbbbbbbbbbbbbbbbbbbbbbb' } }));
      const good = compressed(engine, small);
      expect(await outcome(engine, file(good))).toBe('OK');
      const seen = new Set<string>();
      for (let bit = 0; bit < good.length * 8; bit++) {
        const flipped = good.slice();
        flipped[bit >> 3] ^= 1 << (bit & 7);
        const result = await outcome(engine, file(flipped));
        expect(result, `bit ${bit}`).toMatch(/^(OK|CORRUPT|TRUNCATED|LIMIT)$/);
        seen.add(result);
      }
      expect(seen.has('CORRUPT')).toBe(true);
    });
  });
});
