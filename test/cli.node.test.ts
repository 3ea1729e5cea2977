// The `tensorzip` command (dist/cli.mjs) end to end, in a temporary directory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { npy, open, pack, safetensors, tfjs } from '../src/index';
import { random } from './helpers/data';
import { GgufBuilder } from './helpers/gguf-builder';

const CLI = resolve('dist/cli.mjs');
const dir = mkdtempSync(join(tmpdir(), 'tensorzip-cli-'));
const run = (...args: string[]) => {
  const r = spawnSync('node', [CLI, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const next = random(21);
const weight = Float32Array.from({ length: 128 * 64 }, () => next() - 0.5);
const bias = Float32Array.from({ length: 128 }, () => next());
writeFileSync(join(dir, 'model.safetensors'), safetensors.write({
  'fc.weight': { dtype: 'float32', shape: [128, 64], data: weight }, 'fc.bias': { dtype: 'float32', shape: [128], data: bias },
}));
writeFileSync(join(dir, 'ids.npy'), npy.write({ dtype: 'int32', shape: [3, 2], data: Int32Array.of(1, 2, 3, 4, 5, 6) }));

describe('tensorzip CLI', () => {
  it('packs a safetensors file, inspects, verifies and unpacks it', () => {
    const packed = run('pack', 'model.safetensors', '-o', 'model.tzip', '--json');
    expect(packed.code, packed.stderr).toBe(0);
    const summary = JSON.parse(packed.stdout);
    expect(summary.tensors).toBe(2);
    expect(summary.ratio).toBeGreaterThan(3);

    const table = run('inspect', 'model.tzip');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^tensor\s+dtype\s+shape\s+stored\s+pipeline\s+ratio\s+max error/);
    expect(table.stdout).toMatch(/fc\.weight\s+float32\s+\[128, 64\]\s+int8\s+none\s/); // uniform noise: LZ4 would not shrink it
    const inspected = JSON.parse(run('inspect', 'model.tzip', '--json').stdout);
    expect(inspected.tensors.map((t: { tensor: string }) => t.tensor).sort()).toEqual(['fc.bias', 'fc.weight']);

    expect(run('verify', 'model.tzip').stdout).toContain('ok, 2 tensors verified');

    expect(run('unpack', 'model.tzip', '-o', 'back.safetensors').code).toBe(0);
    const back = safetensors.read(new Uint8Array(readFileSync(join(dir, 'back.safetensors'))));
    expect(back.tensors['fc.bias'].data).toEqual(bias); // small: lossless
    const w = back.tensors['fc.weight'].data as Float32Array;
    const maxError = inspected.tensors.find((t: { tensor: string }) => t.tensor === 'fc.weight').maxAbsError;
    expect(Math.max(...w.map((v, i) => Math.abs(v - weight[i])))).toBe(maxError);

    expect(run('unpack', 'model.tzip', '-o', 'npys').code).toBe(0);
    expect(readdirSync(join(dir, 'npys')).sort()).toEqual(['fc.bias.npy', 'fc.weight.npy']);
  });

  it('packs a .npy file losslessly and unpacks it to .npy', () => {
    expect(run('pack', 'ids.npy', '-o', 'ids.tzip', '--quantize', 'lossless').code).toBe(0);
    expect(run('unpack', 'ids.tzip', '-o', 'ids-back.npy').code).toBe(0);
    expect(readFileSync(join(dir, 'ids-back.npy'))).toEqual(readFileSync(join(dir, 'ids.npy')));
  });

  it('packs a TF.js model (its shards read beside the manifest) with per-channel scales on each weight\'s axis', async () => {
    const manifest = resolve('node_modules/@vladmandic/face-api/model/tiny_face_detector_model-weights_manifest.json');
    const packed = run('pack', manifest, '-o', 'tfjs.tzip', '--json');
    expect(packed.code, packed.stderr).toBe(0);
    const model = { modelJson: { weightsManifest: JSON.parse(readFileSync(manifest, 'utf8')) }, shards: {} as Record<string, Uint8Array> };
    for (const path of model.modelJson.weightsManifest.flatMap((g: { paths: string[] }) => g.paths)) {
      model.shards[path] = new Uint8Array(readFileSync(join(manifest, '..', path)));
    }
    const weights = tfjs.read(model);
    const file = new Uint8Array(readFileSync(join(dir, 'tfjs.tzip')));
    expect(file).toEqual(await pack(weights, { channelAxes: tfjs.channelAxes(model.modelJson) }));
    expect(file).not.toEqual(await pack(weights, { channelAxis: -1 }));
    expect(run('pack', manifest, '-o', 'tfjs0.tzip', '--channel-axis', '0').code).toBe(0);
    expect(new Uint8Array(readFileSync(join(dir, 'tfjs0.tzip')))).toEqual(await pack(weights, { channelAxis: 0 }));
    expect(JSON.parse(packed.stdout).tensors).toBe(Object.keys(weights).length);
    expect(run('pack', manifest, '-o', 'x.tzip', '--channel-axis', '1').code).toBe(2);
  });

  it('packs a GGUF file', async () => {
    const values = Float32Array.from({ length: 32 * 64 }, () => next() - 0.5);
    const kv: [string, number, (b: GgufBuilder) => void][] = [['general.architecture', 8, (b) => b.writeString('test')]];
    writeFileSync(join(dir, 'model.gguf'), new GgufBuilder().build(kv, [{ name: 'w', dims: [64, 32], type: 0, data: new Uint8Array(values.buffer) }]));
    expect(run('pack', 'model.gguf', '-o', 'gguf.tzip', '--quantize', 'lossless').code).toBe(0);
    const archive = await open(new Uint8Array(readFileSync(join(dir, 'gguf.tzip'))));
    const w = await archive.get('w');
    expect(w.shape).toEqual([32, 64]);
    expect(w.data).toEqual(values);
  });

  it('exits 1 on a damaged file, 2 on bad usage, 3 on a missing file', () => {
    const file = readFileSync(join(dir, 'model.tzip'));
    file[file.length - 40] ^= 0xff;
    writeFileSync(join(dir, 'damaged.tzip'), file);
    const damaged = run('verify', 'damaged.tzip', '--json');
    expect(damaged.code).toBe(1);
    expect(JSON.parse(damaged.stderr)).toMatchObject({ ok: false, code: expect.stringMatching(/CHECKSUM|CORRUPT/) });
    expect(run('pack', 'model.safetensors', '-o', 'x.tzip', '--quantize', 'int3').code).toBe(2);
    expect(run('unpack', 'model.tzip', '-o', 'one.npy').stderr).toContain('holds 2 tensors');
    expect(run('frobnicate').code).toBe(2);
    expect(run('verify', 'missing.tzip').code).toBe(3);
  });
});
