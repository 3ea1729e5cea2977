// Issue 18 items 2 and 3 for the .tzip container: names and keys that are Object.prototype's own (`__proto__`,
// `constructor`, …) are ordinary names, hostile values never reach an untyped exception, and deep or huge indexes are
// refused by their nesting and by maxTensors / maxChunks.
import { describe, expect, it } from 'vitest';
import type { TensorInput } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { tensorEntry, tzipFile } from './helpers/tzip-builder';
import { referenceXxh32 } from './reference/xxh32';

const HOSTILE_NAMES = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', 'isPrototypeOf'];
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** { [name]: value } for every name, each an own property (a computed key never sets the prototype). */
function byName<T>(names: string[], value: (i: number) => T): Record<string, T> {
  const out: Record<string, T> = {};
  names.forEach((name, i) => Object.defineProperty(out, name, { value: value(i), enumerable: true, writable: true, configurable: true }));
  return out;
}

/** The outcome of opening `file` and decoding every tensor: 'OK' or the error code ('untyped …' for anything else). */
async function outcome(open: (bytes: Uint8Array) => Promise<{ getAll(): Promise<unknown> }>, file: Uint8Array): Promise<string> {
  try {
    await (await open(file)).getAll();
    return 'OK';
  } catch (err) {
    return (err as Error).name === 'TensorzipError' ? (err as { code: string }).code : `untyped ${String(err).slice(0, 200)}`;
  }
}

describe.each(BUILDS)('.tzip with hostile names and indexes (%s build)', (_, engine) => {
  const tensors = byName(HOSTILE_NAMES, (i): TensorInput => ({ dtype: 'int32', shape: [i + 1], data: Int32Array.from({ length: i + 1 }, (_, k) => k * 7 - i) }));
  const metadata = byName(HOSTILE_NAMES, (i) => `value ${i}`);

  async function expectRoundTrip(file: Uint8Array) {
    const archive = await engine.open(file);
    expect(archive.tensors.map((t) => t.name)).toEqual(HOSTILE_NAMES);
    const all = await archive.getAll();
    expect(Object.getPrototypeOf(all)).toBe(null);
    expect(Object.keys(all)).toEqual(HOSTILE_NAMES);
    for (const name of HOSTILE_NAMES) {
      expect(Object.hasOwn(all, name), name).toBe(true);
      expect(equalBytes(bytesOf(all[name].data), bytesOf(tensors[name].data)), name).toBe(true);
      expect(equalBytes(bytesOf((await archive.get(name)).data), bytesOf(tensors[name].data)), name).toBe(true);
    }
    expect(Object.getPrototypeOf(archive.metadata)).toBe(null);
    expect({ ...archive.metadata }).toEqual({ ...metadata });
  }

  it('pack() round-trips tensors and metadata named like Object.prototype members', async () => {
    await expectRoundTrip(await engine.pack(tensors, { metadata }));
  });

  it('a streaming writer does too', async () => {
    const parts: Uint8Array[] = [];
    const writer = engine.createWriter({ write: (p: Uint8Array) => void parts.push(p.slice()) }, { metadata });
    for (const name of HOSTILE_NAMES) await writer.add(name, tensors[name]);
    await writer.finish();
    const file = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (file.set(p, at), at + p.length), 0);
    await expectRoundTrip(file);
  });

  it('metadata without a key reads nothing from Object.prototype', async () => {
    const archive = await engine.open(await engine.pack({ w: tensors[HOSTILE_NAMES[0]] }, { metadata: { a: 'b' } }));
    for (const key of HOSTILE_NAMES) expect(archive.metadata[key], key).toBeUndefined();
    expect(archive.tensors[0].metadata.constructor).toBeUndefined();
  });

  it('tensor metadata keys from the index are own keys of a null-prototype object', async () => {
    const chunk = new Uint8Array(4);
    const file = tzipFile((at: number) => `{"tensors":[{"name":"t","dtype":"int32","shape":[1],"stored":{"dtype":"int32"},"pipeline":[],"chunkElements":1,"chunks":[[${at},4,${referenceXxh32(chunk)}]],"metadata":{"__proto__":"p","toString":"s"}}]}`, chunk);
    const [info] = (await engine.open(file)).tensors;
    expect(Object.getPrototypeOf(info.metadata)).toBe(null);
    expect(Object.keys(info.metadata)).toEqual(['__proto__', 'toString']);
    expect(info.metadata.toString).toBe('s');
  });

  describe('hostile values in the index give typed errors', () => {
    const chunk = new Uint8Array(4);
    const entry = (edit: Record<string, unknown> = {}) => (at: number) => ({ tensors: [tensorEntry('t', 'int32', [1], [[at, 4, referenceXxh32(chunk)]], edit)] });
    const cases: [string, (at: number) => unknown, string][] = [
      ...['__proto__', 'constructor', 'toString', 'hasOwnProperty'].flatMap((bad): [string, (at: number) => unknown, string][] => [
        [`dtype "${bad}"`, entry({ dtype: bad }), 'UNSUPPORTED'],
        [`stored dtype "${bad}"`, entry({ stored: { dtype: bad } }), 'UNSUPPORTED'],
        [`codec "${bad}"`, entry({ pipeline: [{ codec: bad }] }), 'UNSUPPORTED'],
        [`sparse format "${bad}"`, entry({ pipeline: [{ codec: 'sparse', format: bad, width: 4 }] }), 'CORRUPT'],
      ]),
      ['two tensors named "__proto__"', (at) => ({ tensors: [0, 1].map(() => tensorEntry('__proto__', 'int32', [1], [[at, 4, referenceXxh32(chunk)]])) }), 'CORRUPT'],
      ['a stage parameter named "__proto__"', (at) => `{"tensors":[{"name":"t","dtype":"int32","shape":[1],"stored":{"dtype":"int32"},"pipeline":[{"codec":"lz4","__proto__":{}}],"chunkElements":1,"chunks":[[${at},4,${referenceXxh32(chunk)}]]}]}`, 'CORRUPT'],
      ['metadata with a non-string value under "__proto__"', () => `{"tensors":[],"metadata":{"__proto__":{"x":1}}}`, 'CORRUPT'],
      ['a dtype of 1 MB', entry({ dtype: 'x'.repeat(1 << 20) }), 'UNSUPPORTED'],
      ['a name of 1 MB', entry({ name: 'x'.repeat(1 << 20) }), 'CORRUPT'],
      ['a pipeline of 9 stages', entry({ pipeline: Array.from({ length: 9 }, () => ({ codec: 'delta', width: 4 })) }), 'CORRUPT'],
    ];
    it.each(cases)('%s', async (_name, index, code) => {
      expect(await outcome(engine.open, tzipFile(index, chunk))).toBe(code);
    });
  });

  describe('deep nesting anywhere in the index is CORRUPT, fast, with no stack overflow', () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    const places: [string, (deep: string) => string][] = [
      ['the tensors array', (deep) => `{"tensors":${deep}}`],
      ['a tensor dtype', (deep) => `{"tensors":[{"name":"t","dtype":${deep}}]}`],
      ['a chunk range', (deep) => `{"tensors":[{"name":"t","dtype":"int32","shape":[1],"stored":{"dtype":"int32"},"pipeline":[],"chunkElements":1,"chunks":[${deep}]}]}`],
      ['a stage parameter', (deep) => `{"tensors":[{"name":"t","dtype":"int32","shape":[1],"stored":{"dtype":"int32"},"pipeline":[{"codec":"delta","width":${deep}}],"chunkElements":1,"chunks":[[64,4,0]]}]}`],
      ['a metadata value', (deep) => `{"tensors":[],"metadata":{"k":${deep}}}`],
      ['a key this version does not know', (deep) => `{"tensors":[],"future":${deep}}`],
    ];
    for (const depth of [5_000, 100_000, 1_000_000]) {
      it.each(places)(`${depth} deep in %s`, async (_place, index) => {
        const started = performance.now();
        expect(await outcome(engine.open, tzipFile(index(nested(depth)), new Uint8Array(64)))).toBe('CORRUPT');
        expect(performance.now() - started).toBeLessThan(2000);
      });
    }

    // The scan reads the index 1 MiB at a time (src/format/index-json.ts): what straddles a slice reads as one text.
    describe('across the scan\'s 1 MiB slices', () => {
      const SLICE = 1 << 20;
      /** An index whose `middle` starts at byte `SLICE - before` (the index is ASCII: one byte per character). */
      const straddling = (head: string, before: number, middle: string, tail: string, filler = 'x') => `${head}${filler.repeat(SLICE - before - head.length)}${middle}${tail}`;
      it('a backslash ending a slice escapes the quote starting the next: the brackets after it are in a string', async () => {
        const index = straddling('{"tensors":[],"metadata":{"k":"', 1, '\\"', `${'['.repeat(70)}"}}`);
        expect(index.indexOf('\\')).toBe(SLICE - 1);
        expect(await outcome(engine.open, tzipFile(index))).toBe('OK');
      });
      it('a string open at the end of a slice goes on in the next', async () => {
        expect(await outcome(engine.open, tzipFile(straddling('{"tensors":[],"metadata":{"k":"', 0, '', `${'['.repeat(70)}"}}`)))).toBe('OK');
      });
      it('nesting counts on across the boundary: 65 levels refused, 64 read', async () => {
        // 32 levels of arrays before the boundary (white space fills the slice), the rest after it.
        const at = (depth: number) => straddling(`{"tensors":[],"future":${'['.repeat(32)}`, 0, '', `${'['.repeat(depth - 33)}${']'.repeat(depth - 1)}}`, ' ');
        expect(await outcome(engine.open, tzipFile(at(64)))).toBe('OK');
        expect(await outcome(engine.open, tzipFile(at(65)))).toBe('CORRUPT');
      });
    });

    it('65 levels is refused, 64 read (a key this version does not know)', async () => {
      const at = (depth: number) => `{"tensors":[],"future":${nested(depth - 1)}}`;
      expect(await outcome(engine.open, tzipFile(at(64)))).toBe('OK');
      expect(await outcome(engine.open, tzipFile(at(65)))).toBe('CORRUPT');
    });
  });

  describe('maxTensors and maxChunks', () => {
    const empty = (n: number) => ({ tensors: Array.from({ length: n }, (_, i) => tensorEntry(`t${i}`, 'int8', [0], [])) });
    const chunked = (n: number) => (at: number) => ({ tensors: [{ ...tensorEntry('t', 'uint8', [n * 64], Array.from({ length: n }, (_, k) => [at + 64 * k, 64, referenceXxh32(new Uint8Array(64))])), chunkElements: 64 }] });

    it('refuses more tensors than maxTensors, and reads as many', async () => {
      await expect(engine.open(tzipFile(empty(11)), { maxTensors: 10 })).rejects.toMatchObject({ code: 'LIMIT' });
      expect((await engine.open(tzipFile(empty(10)), { maxTensors: 10 })).tensors).toHaveLength(10);
    });

    it('refuses more chunks than maxChunks (all tensors together), and reads as many', async () => {
      const file = tzipFile(chunked(5), new Uint8Array(64 * 5));
      await expect(engine.open(file, { maxChunks: 4 })).rejects.toMatchObject({ code: 'LIMIT' });
      const all = await (await engine.open(file, { maxChunks: 5 })).getAll();
      expect(all.t.data).toEqual(new Uint8Array(320));
    });

    it('refuses zero-length chunks for elements that need bytes', async () => {
      const zero = (at: number) => ({ tensors: [{ ...tensorEntry('t', 'uint8', [4], Array.from({ length: 4 }, () => [at, 0, referenceXxh32(new Uint8Array(0))])), chunkElements: 1 }] });
      expect(await outcome(engine.open, tzipFile(zero))).toBe('CORRUPT');
    });

    it('refuses a second lz4 or sparse stage at open (each multiplies what a byte can decode to)', async () => {
      const chunk = new Uint8Array(4);
      const file = (pipeline: unknown[]) => tzipFile((at: number) => ({ tensors: [tensorEntry('t', 'int32', [1], [[at, 4, referenceXxh32(chunk)]], { pipeline })] }), chunk);
      await expect(engine.open(file([{ codec: 'lz4' }, { codec: 'lz4' }]))).rejects.toMatchObject({ code: 'CORRUPT' });
      await expect(engine.open(file([{ codec: 'sparse', format: 'bitmask', width: 1 }, { codec: 'sparse', format: 'bitmask', width: 1 }]))).rejects.toMatchObject({ code: 'CORRUPT' });
      expect((await engine.open(file([{ codec: 'delta', width: 4 }, { codec: 'delta', width: 4 }]))).tensors).toHaveLength(1);
    });

    it('a sparse stage whose width does not divide a chunk\'s stored bytes is damage (CORRUPT), not the caller\'s ARGUMENT', async () => {
      const chunk = new Uint8Array(6);
      // 3 int16 elements are 6 stored bytes: not whole 4-byte elements, whatever the chunk holds.
      const file = tzipFile((at: number) => ({ tensors: [tensorEntry('t', 'int16', [3], [[at, 6, referenceXxh32(chunk)]], { pipeline: [{ codec: 'sparse', format: 'bitmask', width: 4 }] })] }), chunk);
      expect(await outcome(engine.open, file)).toBe('CORRUPT');
    });

    it('damage a stage finds (checksum right) names the tensor and the chunk, with its offset', async () => {
      const chunk = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 | i); // LZ4 tokens asking for more than the block has
      const file = tzipFile((at: number) => ({ tensors: [tensorEntry('weights', 'uint8', [64], [[at, 16, referenceXxh32(chunk)]], { pipeline: [{ codec: 'lz4' }] })] }), chunk);
      const err = await (await engine.open(file)).get('weights').catch((e: unknown) => e) as { code: string; message: string; offset: number };
      expect(['CORRUPT', 'TRUNCATED']).toContain(err.code);
      expect(err.message).toContain('chunk 0 of "weights"');
      expect(err.offset).toBe(file.length - 32 - chunk.length);
    });

    it('refuses bad limits as ARGUMENT', async () => {
      let deep: unknown[] = [];
      for (let i = 0; i < 1_000_000; i++) deep = [deep];
      for (const options of [{ maxTensors: -1 }, { maxChunks: 1.5 }, { maxTensors: Number.NaN }, { maxChunks: deep as never }]) {
        await expect(engine.open(tzipFile(empty(1)), options)).rejects.toMatchObject({ code: 'ARGUMENT' });
      }
    });
  });
});
