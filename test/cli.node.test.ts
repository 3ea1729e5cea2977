// The `tensorzip` command (dist/cli.mjs) end to end, in a temporary directory.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { gguf, npy, open, pack, qualityTarget, quant, safetensors, tfjs, type TensorInput } from '../src/index';
import { random } from './helpers/data';
import { GgufBuilder } from './helpers/gguf-builder';
import { tfjsCoreLoad } from './helpers/tfjs-core-load';
import { cli } from './helpers/cli';

const CLI = resolve('dist/cli.mjs');
const dir = mkdtempSync(join(tmpdir(), 'tensorzip-cli-'));
const run = (...args: string[]) => {
  const r = spawnSync('node', [CLI, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

const at = (name: string) => join(dir, name);
const readBytes = (name: string) => new Uint8Array(readFileSync(at(name)));

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
    expect(table.stdout).toMatch(/^tensor\s+dtype\s+shape\s+stored\s+pipeline\s+ratio\s+bits\/w\s+max error/);
    // 'auto' at its default quality: fewer than 255 levels for uniform noise (per channel, or one step for the whole
    // tensor), so the entropy coder shrinks the codes.
    expect(table.stdout).toMatch(/fc\.weight\s+float32\s+\[128, 64\]\s+(int8 \(axis \d\)|tfjs_uint8)\s+huffman\(1\)\s/);
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

  it('inspect names a predict stage\'s lag and weight', () => {
    // int8 codes in rows of 8 frames × 32 features, each feature drifting slowly: the row repeats every 32 codes.
    const drift = random(22);
    const codes = new Int8Array(64 * 256);
    for (let i = 0; i < codes.length; i++) codes[i] = i % 256 < 32 ? Math.round((drift() - 0.5) * 200) : Math.max(-127, Math.min(127, codes[i - 32] + Math.round((drift() - 0.5) * 6)));
    writeFileSync(at('framed.npy'), npy.write({ dtype: 'int8', shape: [64, 256], data: codes }));
    expect(run('pack', 'framed.npy', '-o', 'framed.tzip', '--quantize', 'lossless').code).toBe(0);
    const [row] = JSON.parse(run('inspect', 'framed.tzip', '--json').stdout).tensors;
    expect(row.pipeline).toMatch(/^predict\(lag 32, [1-4]\/4\) → (huffman|huffman_ctx|rans_lanes)\(1\)$/);
  });

  it('packs a .npy file losslessly and unpacks it to .npy', () => {
    expect(run('pack', 'ids.npy', '-o', 'ids.tzip', '--quantize', 'lossless').code).toBe(0);
    expect(run('unpack', 'ids.tzip', '-o', 'ids-back.npy').code).toBe(0);
    expect(readFileSync(join(dir, 'ids-back.npy'))).toEqual(readFileSync(join(dir, 'ids.npy')));
  });

  it('packs a TF.js model (its shards read beside the manifest) with its uint8 weights kept as codes, and unpacks it to the same shard', async () => {
    const manifest = resolve('node_modules/@vladmandic/face-api/model/tiny_face_detector_model-weights_manifest.json');
    const packed = run('pack', manifest, '-o', 'tfjs.tzip', '--json');
    expect(packed.code, packed.stderr).toBe(0);
    const model = { modelJson: { weightsManifest: JSON.parse(readFileSync(manifest, 'utf8')) }, shards: {} as Record<string, Uint8Array> };
    for (const path of model.modelJson.weightsManifest.flatMap((g: { paths: string[] }) => g.paths)) {
      model.shards[path] = new Uint8Array(readFileSync(join(manifest, '..', path)));
    }
    const codes = tfjs.read(model, { codes: true });
    const file = new Uint8Array(readFileSync(join(dir, 'tfjs.tzip')));
    expect(file).toEqual(await pack(codes, { channelAxes: tfjs.channelAxes(model.modelJson) }));
    expect((await open(file)).tensors.map((t) => t.storedDtype)).toEqual(Object.keys(codes).map(() => 'tfjs_uint8'));
    expect(JSON.parse(packed.stdout).tensors).toBe(Object.keys(codes).length);
    expect(run('pack', manifest, '-o', 'x.tzip', '--channel-axis', '1').code).toBe(2);

    mkdirSync(join(dir, 'tiny-out'));
    expect(run('unpack', 'tfjs.tzip', '-o', 'tiny-out/model.json').code).toBe(0);
    const modelJson = JSON.parse(readFileSync(join(dir, 'tiny-out/model.json'), 'utf8'));
    const [shard] = modelJson.weightsManifest[0].paths;
    expect(modelJson.weightsManifest[0].weights.map((w: { quantization: { dtype: string } }) => w.quantization.dtype)).toEqual(Object.keys(codes).map(() => 'uint8'));
    expect(new Uint8Array(readFileSync(join(dir, 'tiny-out', shard)))).toEqual(Object.values(model.shards)[0]);
  });

  it.each(['antispoof', 'emotion'])('packs a whole TF.js graph model (%s) and unpacks it to the same model.json and the same weight bytes', async (name) => {
    const source = resolve(`node_modules/@vladmandic/human/models/${name}.json`);
    const original = JSON.parse(readFileSync(source, 'utf8'));
    expect((await cli('pack', source, '-o', at(`${name}.tzip`), '--quantize', 'lossless')).code).toBe(0);
    expect((await open(readBytes(`${name}.tzip`))).model).toEqual({ kind: 'tfjs-graph', entry: 'model.json' });
    mkdirSync(at(`${name}-out`));
    const r = await cli('unpack', at(`${name}.tzip`), '-o', at(`${name}-out/model.json`));
    expect(r.code, r.stderr).toBe(0);
    const { weightsManifest, ...model } = JSON.parse(readFileSync(at(`${name}-out/model.json`), 'utf8'));
    const { weightsManifest: shipped, ...originalModel } = original;
    expect(model).toEqual(originalModel);
    const weights = (manifest: { weights: { name: string; dtype: string; quantization?: { dtype: string } }[] }[]) =>
      manifest.flatMap((g) => g.weights).map((w) => [w.name, w.dtype, w.quantization?.dtype]);
    expect(weights(weightsManifest)).toEqual(weights(shipped));
    const bytes = (folder: string, manifest: { paths: string[] }[]) => Buffer.concat(manifest.flatMap((g) => g.paths).map((p: string) => readFileSync(join(folder, p))));
    expect(bytes(`${dir}/${name}-out`, weightsManifest).equals(bytes(dirname(source), shipped))).toBe(true);
  });

  it('inspect lists the entries and the model; verify checks every entry too, and exits 1 on a damaged one', async () => {
    const noise = Uint8Array.from({ length: 1000 }, () => Math.floor(next() * 256)); // stored as it is: findable
    writeFileSync(at('entries.tzip'), await pack({ w: { dtype: 'int32', shape: [2], data: Int32Array.of(1, 2) } }, {
      entries: { 'model.json': { data: new TextEncoder().encode('{"format":"graph-model","modelTopology":{}}'), mediaType: 'application/json' }, 'notes.bin': { data: noise } },
      model: { kind: 'tfjs-graph', entry: 'model.json' },
    }));
    const inspected = JSON.parse((await cli('inspect', at('entries.tzip'), '--json')).stdout);
    expect(inspected.model).toEqual({ kind: 'tfjs-graph', entry: 'model.json' });
    expect(inspected.entries.map((e: { name: string; size: number }) => [e.name, e.size])).toEqual([['model.json', 43], ['notes.bin', 1000]]);
    expect((await cli('inspect', at('entries.tzip'))).stdout).toContain('model: tfjs-graph, described by the entry model.json');
    expect((await cli('verify', at('entries.tzip'))).stdout).toContain('ok, 1 tensors and 2 entries verified');
    const damaged = readBytes('entries.tzip');
    damaged[Buffer.from(damaged).indexOf(Buffer.from(noise)) + 500] ^= 1;
    writeFileSync(at('entries-damaged.tzip'), damaged);
    const r = await cli('verify', at('entries-damaged.tzip'), '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({ code: 'CHECKSUM' });
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

describe('tensorzip CLI: files', () => {
  it('writes outputs atomically: a failed write leaves the earlier file as it was and no temporary file', () => {
    writeFileSync(at('keep.tzip'), 'an earlier output');
    // The file size limit (4 KiB) makes the write fail part way, as a full disk would.
    const r = spawnSync('sh', ['-c', `trap '' XFSZ; ulimit -f 8; exec node ${CLI} pack model.safetensors -o keep.tzip --quantize lossless`], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/cannot write keep\.tzip/);
    expect(readFileSync(at('keep.tzip'), 'utf8')).toBe('an earlier output');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('unpack into a path that is an existing file: exit 3 with a message, the file untouched', async () => {
    await cli('pack', at('ids.npy'), '-o', at('ids2.tzip'));
    writeFileSync(at('plain-file'), 'x');
    const r = await cli('unpack', at('ids2.tzip'), '-o', at('plain-file'));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/plain-file.*not a directory/);
    expect(readFileSync(at('plain-file'), 'utf8')).toBe('x');
  });

  it('a model.json that is not JSON is damaged input: exit 1, CORRUPT', async () => {
    writeFileSync(at('broken.json'), '{ "weightsManifest": [');
    const r = await cli('pack', at('broken.json'), '-o', at('broken.tzip'), '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({ ok: false, code: 'CORRUPT' });
  });

  it('a model.json listing a shard outside its folder is damaged input, and nothing outside is read', async () => {
    mkdirSync(at('traversal'), { recursive: true });
    writeFileSync(at('secret.bin'), new Uint8Array(16));
    for (const path of ['../secret.bin', at('secret.bin'), 'sub/../../secret.bin']) {
      const weights = [{ name: 'w', shape: [4], dtype: 'float32' }];
      writeFileSync(at('traversal/model.json'), JSON.stringify({ weightsManifest: [{ paths: [path], weights }] }));
      const r = await cli('pack', at('traversal/model.json'), '-o', at('traversal.tzip'), '--json');
      expect(r.code, path).toBe(1);
      expect(JSON.parse(r.stderr)).toMatchObject({ ok: false, code: 'CORRUPT' });
    }
  });

  it('unpacks to a directory with one reversible file name per tensor: no collisions, hostile names kept', async () => {
    const names = ['a/b', 'a_b', 'a:b', 'a%3Ab', '..', '.hidden', '__proto__', 'constructor', 'nul\0name', 'é/日本'];
    const tensors: Record<string, TensorInput> = Object.create(null);
    names.forEach((name, i) => (tensors[name] = { dtype: 'int32', shape: [2], data: Int32Array.of(i, -i) }));
    writeFileSync(at('names.tzip'), await pack(tensors));
    const r = await cli('unpack', at('names.tzip'), '-o', at('names'));
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(at('names'));
    expect(files.map((f) => decodeURIComponent(f.slice(0, -'.npy'.length))).sort()).toEqual([...names].sort());
    for (const f of files) {
      const name = decodeURIComponent(f.slice(0, -'.npy'.length));
      expect(npy.read(readBytes(join('names', f))).data).toEqual(tensors[name].data);
    }
  });

  it('refuses names too long for a file before writing anything', async () => {
    writeFileSync(at('long.tzip'), await pack({ first: { dtype: 'int8', shape: [1], data: Int8Array.of(1) }, ['x'.repeat(300)]: { dtype: 'int8', shape: [1], data: Int8Array.of(2) } }));
    const r = await cli('unpack', at('long.tzip'), '-o', at('long'), '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr)).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('.safetensors') });
    expect(existsSync(at('long'))).toBe(false);
    // The longest name that fits: 251 bytes and ".npy" make the 255 most file systems allow.
    writeFileSync(at('longest.tzip'), await pack({ ['y'.repeat(251)]: { dtype: 'int8', shape: [1], data: Int8Array.of(3) } }));
    expect((await cli('unpack', at('longest.tzip'), '-o', at('longest'))).code).toBe(0);
    expect(readdirSync(at('longest'))).toEqual([`${'y'.repeat(251)}.npy`]);
  });
});

describe('tensorzip CLI: arguments', () => {
  it('--version prints the package version', () => {
    const r = run('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`);
  });

  it('--json turns usage errors into one JSON error on stderr, nothing on stdout', async () => {
    for (const args of [['pack', at('model.safetensors'), '--json'], ['frobnicate', '--json'], ['inspect', '--json'], ['pack', at('model.safetensors'), '-o', at('x.tzip'), '--quantize', 'int3', '--json']]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(JSON.parse(r.stderr), args.join(' ')).toMatchObject({ ok: false, code: 'ARGUMENT', message: expect.any(String) });
    }
  });

  it('refuses negative, NaN or empty --max-error and --quality, and a --prune outside 0..1, before reading anything', async () => {
    for (const [flag, value] of [['--max-error', '-0.1'], ['--max-error', 'NaN'], ['--max-error', ''], ['--quality', '-20'], ['--quality', 'Infinity'], ['--prune', '1'], ['--prune', '-0.1'], ['--prune', '']]) {
      // The input does not exist: only a check of the flag itself gives exit 2 rather than 3.
      const r = await cli('pack', at('missing.safetensors'), '-o', at('x.tzip'), `${flag}=${value}`, '--json');
      expect(r.code, `${flag} ${value}`).toBe(2);
      expect(JSON.parse(r.stderr).message).toContain(flag);
    }
    expect((await cli('pack', at('model.safetensors'), '-o', at('bounded.tzip'), '--quality', '30')).code).toBe(0);
  });

  it('pack --workers writes the same file as without; a bad count is a usage error', async () => {
    // Tensors of 64 KiB and more go to the workers.
    const large = Float32Array.from({ length: 256 * 256 }, () => next() - 0.5);
    writeFileSync(at('large.safetensors'), safetensors.write({ a: { dtype: 'float32', shape: [256, 256], data: large }, b: { dtype: 'float32', shape: [256, 256], data: large.map((v) => v * v) }, bias: { dtype: 'float32', shape: [128], data: bias } }));
    expect((await cli('pack', at('large.safetensors'), '-o', at('one.tzip'), '--quality', '40')).code).toBe(0);
    expect((await cli('pack', at('large.safetensors'), '-o', at('two.tzip'), '--quality', '40', '--workers', '2')).code).toBe(0);
    expect(Buffer.compare(readFileSync(at('two.tzip')), readFileSync(at('one.tzip')))).toBe(0);
    for (const value of ['-1', 'two', '1.5', '']) {
      const r = await cli('pack', at('model.safetensors'), '-o', at('x.tzip'), `--workers=${value}`, '--json');
      expect(r.code, value).toBe(2);
      expect(JSON.parse(r.stderr).message).toContain('--workers');
    }
  });

  it('pack --quality and --prune reach pack(): each quantized tensor keeps its SQNR target; pruning counts in its error', async () => {
    expect((await cli('pack', at('model.safetensors'), '-o', at('q50.tzip'), '--quality', '50')).code).toBe(0);
    expect((await cli('pack', at('model.safetensors'), '-o', at('q20.tzip'), '--quality', '20', '--prune', '0.5')).code).toBe(0);
    const [q50, q20] = [await open(readBytes('q50.tzip')), await open(readBytes('q20.tzip'))];
    const weight = (a: typeof q50) => a.tensors.find((t) => t.name === 'fc.weight')!;
    expect(weight(q50).stats!.sqnrDb).toBeGreaterThanOrEqual(qualityTarget(50, 128 * 64));
    expect(weight(q20).encodedBytes).toBeLessThan(weight(q50).encodedBytes / 2);
    const zeros = (await q20.get('fc.weight')).data.filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThanOrEqual(128 * 64 / 2);
    expect(weight(q20).stats!.sqnrDb).toBeLessThan(10); // half the weights gone: far below the quantization's 20 dB
  });
});

describe('tensorzip CLI: what survives pack → unpack', () => {
  it('unpack -o x.json writes a TF.js model (shards beside it) that tfjs-core reads, with the packed topology', async () => {
    const tensors = { dense: { dtype: 'float32' as const, shape: [64, 32], data: Float32Array.from({ length: 2048 }, () => next() - 0.5) },
      steps: { dtype: 'int32' as const, shape: [3], data: Int32Array.of(1, 2, 3) } };
    const topology = { class_name: 'Sequential', config: { name: 'tiny', layers: [] } };
    const model = tfjs.write(tensors, { modelJson: { format: 'layers-model', generatedBy: 'test', modelTopology: topology } });
    mkdirSync(at('tfjs-in'));
    writeFileSync(at('tfjs-in/model.json'), JSON.stringify(model.modelJson));
    for (const [p, bytes] of Object.entries(model.shards)) writeFileSync(at(`tfjs-in/${p}`), bytes);
    expect((await cli('pack', at('tfjs-in/model.json'), '-o', at('tfjs-model.tzip'))).code).toBe(0);

    mkdirSync(at('tfjs-out'));
    const r = await cli('unpack', at('tfjs-model.tzip'), '-o', at('tfjs-out/model.json'));
    expect(r.code, r.stderr).toBe(0);
    const modelJson = JSON.parse(readFileSync(at('tfjs-out/model.json'), 'utf8'));
    expect(modelJson).toMatchObject({ format: 'layers-model', generatedBy: 'test', modelTopology: topology });
    const paths: string[] = modelJson.weightsManifest.flatMap((g: { paths: string[] }) => g.paths);
    expect(readdirSync(at('tfjs-out')).sort()).toEqual(['model.json', ...paths].sort());
    const read = tfjsCoreLoad({ modelJson, shards: Object.fromEntries(paths.map((p) => [p, readBytes(`tfjs-out/${p}`)])) });
    const archive = await open(readBytes('tfjs-model.tzip'));
    expect(read.dense.values).toEqual((await archive.get('dense')).data);
    expect(read.steps.values).toEqual(tensors.steps.data);
  });

  it('unpack -o x.json refuses a model entry that is not a JSON object (exit 1, CORRUPT) or a model of another kind (UNSUPPORTED), and writes nothing', async () => {
    const cases = [['{ not json', 'tfjs-graph', 'CORRUPT'], ['[1, 2]', 'tfjs-layers', 'CORRUPT'], ['null', 'tfjs-graph', 'CORRUPT'], ['{}', 'onnx', 'UNSUPPORTED']];
    for (const [i, [value, kind, code]] of cases.entries()) {
      const entries = { 'graph.json': { data: new TextEncoder().encode(value) } };
      writeFileSync(at(`bad-model-${i}.tzip`), await pack({ w: { dtype: 'int32', shape: [1], data: Int32Array.of(1) } }, { entries, model: { kind, entry: 'graph.json' } }));
      const r = await cli('unpack', at(`bad-model-${i}.tzip`), '-o', at(`bad-model-${i}.json`), '--json');
      expect(r.code, value).toBe(1);
      expect(JSON.parse(r.stderr)).toMatchObject({ code, message: expect.stringContaining(code === 'CORRUPT' ? 'graph.json' : 'onnx') });
      expect(readdirSync(dir).filter((f) => f.includes(`bad-model-${i}.`))).toEqual([`bad-model-${i}.tzip`]);
    }
  });

  it('unpack keeps tensors named __proto__ or constructor (TF.js output)', async () => {
    const tensors: Record<string, TensorInput> = Object.create(null);
    const named: [string, TensorInput][] = [['__proto__', { dtype: 'int32', shape: [2], data: Int32Array.of(5, 6) }], ['constructor', { dtype: 'int32', shape: [1], data: Int32Array.of(7) }]];
    for (const [name, t] of named) tensors[name] = t;
    writeFileSync(at('proto.tzip'), await pack(tensors));
    expect((await cli('unpack', at('proto.tzip'), '-o', at('proto.json'))).code).toBe(0);
    const modelJson = JSON.parse(readFileSync(at('proto.json'), 'utf8'));
    const weights = modelJson.weightsManifest.flatMap((g: { weights: { name: string }[] }) => g.weights);
    expect(weights.map((w: { name: string }) => w.name).sort()).toEqual(['__proto__', 'constructor']);
    const shard = readBytes(modelJson.weightsManifest[0].paths[0]);
    expect(new Int32Array(shard.buffer, shard.byteOffset, 3)).toEqual(Int32Array.of(...(weights[0].name === '__proto__' ? [5, 6, 7] : [7, 5, 6])));
  });

  it('keeps safetensors __metadata__', async () => {
    writeFileSync(at('meta.safetensors'), safetensors.write({ w: { dtype: 'float32', shape: [4], data: Float32Array.of(1, 2, 3, 4) } }, { format: 'pt', note: 'kept through pack and unpack' }));
    expect((await cli('pack', at('meta.safetensors'), '-o', at('meta.tzip'))).code).toBe(0);
    expect((await cli('unpack', at('meta.tzip'), '-o', at('meta-back.safetensors'))).code).toBe(0);
    expect(safetensors.read(readBytes('meta-back.safetensors')).metadata).toEqual({ format: 'pt', note: 'kept through pack and unpack' });
  });

  // GGUF value types (the spec's numbering) and what the test writes for each.
  const U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7, STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12;
  const le = (bytes: number, set: (v: DataView) => void) => { const b = new Uint8Array(bytes); set(new DataView(b.buffer)); return b; };
  const kv: [string, number, (b: GgufBuilder) => void, string, unknown][] = [
    ['general.architecture', STRING, (b) => b.writeString('llama'), 'string', 'llama'],
    ['general.alignment', U32, (b) => b.writeU32(32), 'uint32', 32],
    ['a.u8', U8, (b) => b.writeBytes(Uint8Array.of(200)), 'uint8', 200],
    ['a.i8', I8, (b) => b.writeBytes(Uint8Array.of(0xff)), 'int8', -1],
    ['a.u16', U16, (b) => b.writeBytes(le(2, (v) => v.setUint16(0, 65535, true))), 'uint16', 65535],
    ['a.i16', I16, (b) => b.writeBytes(le(2, (v) => v.setInt16(0, -300, true))), 'int16', -300],
    ['a.i32', I32, (b) => b.writeBytes(le(4, (v) => v.setInt32(0, -70000, true))), 'int32', -70000],
    ['a.f32', F32, (b) => b.writeBytes(le(4, (v) => v.setFloat32(0, 0.1, true))), 'float32', Math.fround(0.1)],
    ['a.f32nan', F32, (b) => b.writeBytes(le(4, (v) => v.setFloat32(0, -Infinity, true))), 'float32', '-Infinity'],
    ['a.bool', BOOL, (b) => b.writeBytes(Uint8Array.of(1)), 'bool', true],
    ['a.u64', U64, (b) => b.writeBytes(le(8, (v) => v.setBigUint64(0, 2n ** 64n - 1n, true))), 'uint64', '18446744073709551615'],
    ['a.i64', I64, (b) => b.writeBytes(le(8, (v) => v.setBigInt64(0, -(2n ** 60n), true))), 'int64', String(-(2n ** 60n))],
    ['a.f64', F64, (b) => b.writeBytes(le(8, (v) => v.setFloat64(0, Math.PI, true))), 'float64', Math.PI],
    ['tokenizer.tokens', ARRAY, (b) => { b.writeU32(STRING); b.writeU64(3); ['<s>', 'hé', '"q"'].forEach((t) => b.writeString(t)); }, 'array<string>', ['<s>', 'hé', '"q"']],
    ['a.ids', ARRAY, (b) => { b.writeU32(I32); b.writeU64(2); b.writeBytes(le(8, (v) => (v.setInt32(0, -1, true), v.setInt32(4, 7, true)))); }, 'array<int32>', [-1, 7]],
    ['a.nested', ARRAY, (b) => { b.writeU32(ARRAY); b.writeU64(1); b.writeU32(U16); b.writeU64(2); b.writeBytes(Uint8Array.of(1, 0, 2, 0)); }, 'array<array<uint16>>', [[1, 2]]],
  ];

  it('keeps GGUF metadata, each value with its GGUF type, as archive metadata (and in an unpacked .safetensors)', async () => {
    const values = Float32Array.from({ length: 64 }, () => next());
    writeFileSync(at('meta.gguf'), new GgufBuilder().build(kv.map(([k, t, w]) => [k, t, w]), [{ name: 'w', dims: [64], type: 0, data: new Uint8Array(values.buffer) }]));
    expect((await cli('pack', at('meta.gguf'), '-o', at('meta-gguf.tzip'))).code).toBe(0);
    const { metadata } = await open(readBytes('meta-gguf.tzip'));
    for (const [key, , , type, value] of kv) expect(JSON.parse(metadata[`gguf:${key}`]), key).toEqual({ type, value });
    expect(Object.keys(metadata)).toHaveLength(kv.length);
    expect((await cli('unpack', at('meta-gguf.tzip'), '-o', at('meta-gguf.safetensors'))).code).toBe(0);
    expect(safetensors.read(readBytes('meta-gguf.safetensors')).metadata).toEqual(metadata);
  });

  it('stores GGUF F16, BF16, Q8_0, Q4_0, Q4_1 and Q4_K tensors as their codes, decoding to what gguf.read gives', async () => {
    const values = Float32Array.from({ length: 4 * 256 }, () => (next() - 0.5) * 4);
    const codes = (dtype: 'float16' | 'bfloat16' | 'q8_0' | 'q4_0' | 'q4_1') => {
      const data = quant.quantize(values, { dtype, shape: [4, 256] }).data;
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    };
    // Q4_K has no encoder: random blocks with a small positive d and dmin (float16 0.01 and 0.005).
    const q4k = Uint8Array.from({ length: 4 * 144 }, () => Math.floor(next() * 256));
    for (let b = 0; b < 4; b++) q4k.set([0x1f, 0x21, 0x1f, 0x1d], b * 144);
    const types = [['f16', 1, codes('float16'), 'float16'], ['bf16', 30, codes('bfloat16'), 'bfloat16'], ['q8', 8, codes('q8_0'), 'q8_0'],
      ['q40', 2, codes('q4_0'), 'q4_0'], ['q41', 3, codes('q4_1'), 'q4_1'], ['q4k', 12, q4k, 'q4_k']] as const;
    const file = new GgufBuilder().build([], types.map(([name, type, data]) => ({ name, dims: [256, 4], type, data })));
    writeFileSync(at('codes.gguf'), file);
    const r = await cli('pack', at('codes.gguf'), '-o', at('codes.tzip'), '--json');
    expect(r.code, r.stderr).toBe(0);
    const archive = await open(readBytes('codes.tzip'));
    const expected = gguf.read(file).tensors;
    for (const [name, , , stored] of types) {
      expect(archive.tensors.find((t) => t.name === name)?.storedDtype, name).toBe(stored);
      expect((await archive.get(name)).data, name).toEqual(expected[name].data);
    }
    for (const [name, , data] of types) expect(archive.tensors.find((t) => t.name === name)!.encodedBytes, name).toBeLessThanOrEqual(data.length);
  });

  it('pack warns when the output is larger than the input (stderr, and in --json)', async () => {
    writeFileSync(at('tiny.npy'), npy.write({ dtype: 'int8', shape: [3], data: Int8Array.of(1, 2, 3) }));
    const text = await cli('pack', at('tiny.npy'), '-o', at('tiny.tzip'));
    expect(text.code).toBe(0);
    const size = readFileSync(at('tiny.tzip')).length;
    expect(text.stderr).toMatch(new RegExp(`warning: .*tiny\\.tzip \\(${size} bytes\\) is larger than its input \\(${readFileSync(at('tiny.npy')).length} bytes\\)`));
    const json = await cli('pack', at('tiny.npy'), '-o', at('tiny.tzip'), '--json');
    expect(JSON.parse(json.stdout).warnings).toEqual([expect.stringContaining('is larger than its input')]);
    expect(JSON.parse(json.stderr).warning).toContain('is larger than its input');
    expect((await cli('pack', at('model.safetensors'), '-o', at('model2.tzip'))).stderr).toBe('');
  });

  it('inspect shows each tensor\'s choice, bits per weight and SQNR, and a totals row', async () => {
    expect((await cli('pack', at('model.safetensors'), '-o', at('inspect.tzip'))).code).toBe(0);
    const archive = await open(readBytes('inspect.tzip'));
    const w = archive.tensors.find((t) => t.name === 'fc.weight')!;
    const lines = (await cli('inspect', at('inspect.tzip'))).stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/ratio\s+bits\/w\s+max error\s+SQNR dB$/);
    const bits = (t: { encodedBytes: number; shape: number[] }) => (t.encodedBytes * 8 / t.shape.reduce((n, d) => n * d, 1)).toFixed(2);
    expect(lines.find((l) => l.startsWith('fc.weight'))).toMatch(new RegExp(`\\s${w.storedDtype}${w.storedAxis === null ? '' : ` \\(axis ${w.storedAxis}\\)`}\\s.*\\s${bits(w)}\\s+\\S+\\s+${w.stats!.sqnrDb.toFixed(1)}$`));
    expect(lines.find((l) => l.startsWith('fc.bias'))).toMatch(/\s0\s+∞$/);
    const encoded = archive.tensors.reduce((n, t) => n + t.encodedBytes, 0);
    const decoded = archive.tensors.reduce((n, t) => n + t.decodedBytes, 0);
    const elements = archive.tensors.reduce((n, t) => n + t.shape.reduce((a, d) => a * d, 1), 0);
    expect(lines.at(-1)).toMatch(new RegExp(`^total \\(2 tensors\\)\\s+${decoded} → ${encoded} bytes\\s+${(decoded / encoded).toFixed(2)}x\\s+${(encoded * 8 / elements).toFixed(2)}\\s+${w.stats!.maxAbsError.toExponential(2)}\\s+${w.stats!.sqnrDb.toFixed(1)}$`));
    const json = JSON.parse((await cli('inspect', at('inspect.tzip'), '--json')).stdout);
    expect(json.total).toEqual({ tensors: 2, encodedBytes: encoded, decodedBytes: decoded, bitsPerWeight: encoded * 8 / elements, maxAbsError: w.stats!.maxAbsError, minSqnrDb: w.stats!.sqnrDb });
    expect(json.tensors.find((t: { tensor: string }) => t.tensor === 'fc.weight').bitsPerWeight).toBe(w.encodedBytes * 8 / w.shape.reduce((n, d) => n * d, 1));
    expect(json.tensors.find((t: { tensor: string }) => t.tensor === 'fc.bias').sqnrDb).toBeNull();
  });
});
