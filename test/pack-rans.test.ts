// Where pack chooses the rans_lanes stage (format 1.5) and what version it writes: minor version 5 exactly when a
// pipeline uses it (other files stay 1.3 byte for byte), the stage chosen for skewed codes where it measures smaller
// than huffman and huffman_ctx, every tensor decoding back; the streaming writer, whose prefix goes out first, writes
// the newest version (1.6) whenever entropy stages are on (entropy: false, 1.3) and chooses as pack does.
import { describe, expect, it } from 'vitest';
import type { TensorInput } from '../src/index';
import { BUILDS, equalBytes } from './helpers/engines';
import { random } from './helpers/data';

/** uint8 codes on 128 90% of the time, mostly 128 again after a 128: Huffman spends at least a bit on each. */
function skewedCodes(size: number, seed: number): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = next() < (i >= 4 && out[i - 4] === 128 ? 0.93 : 0.8) ? 128 : 128 + Math.round((next() - 0.5) * 10);
  return out;
}
const skewed: TensorInput = { dtype: 'uint8', shape: [256, 256], data: skewedCodes(65536, 1) };
const spread: TensorInput = { dtype: 'uint8', shape: [4096], data: (() => { const next = random(2); return Uint8Array.from({ length: 4096 }, () => Math.floor(next() * 40)); })() };

describe.each(BUILDS)('pack and the rans_lanes stage (%s build)', (_, engine) => {
  it('chooses rans_lanes for skewed codes, writes minor version 5, and reads them back', async () => {
    const file = await engine.pack({ skewed, spread }, { quantize: 'lossless' });
    expect([file[4], file[5]]).toEqual([1, 5]);
    const archive = await engine.open(file);
    const pipelines = Object.fromEntries(archive.tensors.map((t) => [t.name, t.pipeline.map((s) => s.codec)]));
    expect(pipelines.skewed).toEqual(['rans_lanes']);
    expect(pipelines.spread).not.toContain('rans_lanes');
    for (const [name, t] of Object.entries({ skewed, spread })) {
      if (!equalBytes((await archive.get(name)).data as Uint8Array, t.data as Uint8Array)) expect.fail(`${name} decodes differently`);
    }
    // Smaller than the codes under huffman_ctx, the best stage before it.
    const context = engine.pipeline.encodeChunk(skewed.data as Uint8Array, [{ codec: 'huffman_ctx', planes: 1 }]);
    expect(archive.tensors.find((t) => t.name === 'skewed')!.encodedBytes).toBeLessThan(context.length * 0.9);
  });

  it('chooses rans_lanes only where it saves at least 1/200 of the bytes of huffman and huffman_ctx (it decodes slower)', async () => {
    /** Codes 0–11, each next one with probability 1 − q: near a Huffman code's powers of 1/2 for q near 1/2. */
    const geometric = (q: number): TensorInput => {
      const next = random(7);
      return { dtype: 'uint8', shape: [65536], data: Uint8Array.from({ length: 65536 }, () => { let k = 0; while (k < 11 && next() > q) k++; return k; }) };
    };
    const saving = (t: TensorInput) => {
      const size = (codec: 'huffman' | 'huffman_ctx' | 'rans_lanes') => engine.pipeline.encodeChunk(t.data as Uint8Array, [{ codec, planes: 1 }]).length;
      return 1 - size('rans_lanes') / Math.min(size('huffman'), size('huffman_ctx'));
    };
    const slight = geometric(0.54);
    const clear = geometric(0.6);
    expect(saving(slight)).toBeGreaterThan(0);
    expect(saving(slight)).toBeLessThan(1 / 200);
    expect(saving(clear)).toBeGreaterThan(1 / 200);
    const archive = await engine.open(await engine.pack({ slight, clear }, { quantize: 'lossless' }));
    const codecs = Object.fromEntries(archive.tensors.map((t) => [t.name, t.pipeline.map((s) => s.codec)]));
    expect(codecs.slight).toEqual(['huffman']);
    expect(codecs.clear).toEqual(['rans_lanes']);
  });

  it('writes minor version 3 when no tensor uses rans_lanes', async () => {
    const file = await engine.pack({ spread }, { quantize: 'lossless' });
    expect([file[4], file[5]]).toEqual([1, 3]);
  });

  it('the streaming writer, whose prefix goes out first, writes 1.6 and chooses rans_lanes as pack does', async () => {
    const parts: Uint8Array[] = [];
    const writer = engine.createWriter({ write: (p: Uint8Array) => void parts.push(p.slice()) }, { quantize: 'lossless' });
    await writer.add('skewed', skewed);
    await writer.finish();
    const file = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (file.set(p, at), at + p.length), 0);
    expect([file[4], file[5]]).toEqual([1, 6]);
    const archive = await engine.open(file);
    expect(archive.tensors[0].pipeline.map((s) => s.codec)).toEqual(['rans_lanes']);
    if (!equalBytes((await archive.get('skewed')).data as Uint8Array, skewed.data as Uint8Array)) expect.fail('decodes differently');
  });

  it('the streaming writer without entropy stages writes 1.3', async () => {
    const parts: Uint8Array[] = [];
    const writer = engine.createWriter({ write: (p: Uint8Array) => void parts.push(p.slice()) }, { quantize: 'lossless', entropy: false });
    await writer.add('skewed', skewed);
    await writer.finish();
    expect([parts[0][4], parts[0][5]]).toEqual([1, 3]);
  });
});
