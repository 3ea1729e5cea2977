// Headers built to hurt the foreign-format readers: .npy dicts that make a backtracking parser take minutes, GGUF
// alignments that would place tensors inside the header, JSON nested far deeper than any recursion can go, and
// face-api's real TF.js manifests and shards mutated field by field. Every one ends quickly in a typed error that
// names damaged data (never ARGUMENT, which is for the caller's own parameters) or in consistent tensors.
import { describe, expect, it } from 'vitest';
import { gguf, npy, safetensors, tfjs, type TensorInput, type TfjsModel } from '../src/index';
import { expectError } from './helpers/errors';
import { readRepoFile } from './helpers/files';
import { npyFile, safetensorsFile } from './helpers/foreign-files';
import { GgufBuilder } from './helpers/gguf-builder';

const DATA_ERRORS = ['CORRUPT', 'TRUNCATED', 'LIMIT', 'UNSUPPORTED'];

/** 'OK' when `read` gives tensors whose data fits their shapes, else the TensorzipError's code; fails on anything else. */
function outcome(read: () => Record<string, TensorInput>, what: string): string {
  let tensors: Record<string, TensorInput>;
  try {
    tensors = read();
  } catch (err) {
    if ((err as Error)?.name !== 'TensorzipError') expect.fail(`${what}: ${String(err)}`);
    return (err as { code: string }).code;
  }
  for (const [name, t] of Object.entries(tensors)) {
    if (t.data.length !== t.shape.reduce((n, d) => n * d, 1)) expect.fail(`${what}: "${name}" has ${t.data.length} elements for [${t.shape.join(', ')}]`);
  }
  return 'OK';
}

const nested = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

describe('.npy headers parse in linear time', () => {
  it('long digit runs, spaces and commas in the shape end in CORRUPT within milliseconds', () => {
    const dict = (shape: string) => `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape}, }`;
    const hostile = [
      dict(`${'1'.repeat(32)}x`), dict(`${'1'.repeat(32)} `), dict(`${'9'.repeat(3000)}`), dict(`${'1 '.repeat(2000)}`),
      dict(`${'1,'.repeat(2000)}x`), `{'descr': '<f4', 'fortran_order': False, 'shape': (${' '.repeat(9000)}`,
      `{${"'descr': '<f4', ".repeat(400)}`, `{'descr': '${"'".repeat(5000)}`,
    ];
    for (const header of hostile) {
      const started = performance.now();
      expectError(() => npy.read(npyFile(header)), 'CORRUPT');
      expect(performance.now() - started, header.slice(0, 80)).toBeLessThan(200);
    }
    // The grammar NumPy writes still reads: any key order, spaces, the trailing comma optional.
    const ok = npy.read(npyFile("{ 'shape' : ( 2 ,3 ) , 'fortran_order':False,'descr':'<i2' }", new Uint8Array(12)));
    expect([ok.dtype, ok.shape]).toEqual(['int16', [2, 3]]);
    expect(npy.read(npyFile("{'descr': '|u1', 'fortran_order': False, 'shape': (), }", Uint8Array.of(9))).shape).toEqual([]);
  });
});

describe('GGUF general.alignment', () => {
  const tensor = { name: 'w', dims: [4], type: 0, data: new Uint8Array(Float32Array.of(1, 2, 3, 4).buffer) };
  const u32 = (v: number) => (b: GgufBuilder) => b.writeU32(v);
  const f32 = (v: number) => (b: GgufBuilder) => b.writeU32(new Uint32Array(Float32Array.of(v).buffer)[0]);

  it('refuses 0, negative, fractional, non-power-of-two and non-numeric alignments (CORRUPT)', () => {
    const bad: [number, (b: GgufBuilder) => void][] = [
      [4, u32(0)], [5, u32(-8 >>> 0)], [5, u32(-32 >>> 0)], [4, u32(24)], [4, u32(48)], [4, u32(3)], [6, f32(2.5)],
      [6, f32(-32)], [8, (b) => b.writeString('32')], [10, (b) => (b.writeU32(32), b.writeU32(1))],
    ];
    for (const [type, write] of bad) {
      expectError(() => gguf.read(new GgufBuilder().build([['general.alignment', type, write]], [tensor])), 'CORRUPT');
    }
  });

  it('reads the file when the alignment is the 32 the file was laid out with', () => {
    const { tensors } = gguf.read(new GgufBuilder().build([['general.alignment', 4, u32(32)]], [tensor]));
    expect(Array.from(tensors.w.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });
});

describe('JSON nested far deeper than the call stack', () => {
  const depths = [5_000, 100_000];

  it('safetensors headers: CORRUPT, never a RangeError', () => {
    for (const depth of depths) {
      const headers = [
        `{"w":{"dtype":${nested(depth)},"shape":[1],"data_offsets":[0,4]}}`,
        `{"w":{"dtype":"F32","shape":${nested(depth)},"data_offsets":[0,4]}}`,
        `{"w":{"dtype":"F32","shape":[1],"data_offsets":${nested(depth)}}}`,
        `{"__metadata__":{"k":${nested(depth)}},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`,
        `{"w":${nested(depth)}}`, `{"w":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
      ];
      for (const header of headers) expectError(() => safetensors.read(safetensorsFile(header, new Uint8Array(4))), 'CORRUPT');
    }
  });

  it('error messages quote names and values in a bounded way', () => {
    const long = 'x'.repeat(1_000_000);
    const control = '\u0001'.repeat(1000);
    for (const name of [long, control]) {
      const header = JSON.stringify({ [name]: { dtype: [[[long]]], shape: [1], data_offsets: [0, 4] } });
      expect(expectError(() => safetensors.read(safetensorsFile(header, new Uint8Array(4))), 'CORRUPT').message.length).toBeLessThan(200);
      const weights = [{ name, shape: [1], dtype: control }];
      expect(expectError(() => tfjs.read({ modelJson: { weightsManifest: [{ paths: [], weights }] }, shards: {} }), 'UNSUPPORTED').message.length).toBeLessThan(200);
    }
  });

  it('TF.js manifests: a typed error naming damaged data, never a RangeError', () => {
    const model = tfjs.write({ w: { dtype: 'float32', shape: [2], data: Float32Array.of(1, 2) } }, { quantize: 'uint8' });
    const spec = JSON.stringify(model.modelJson.weightsManifest[0].weights[0]);
    const paths = JSON.stringify(model.modelJson.weightsManifest[0].paths);
    for (const depth of depths) {
      const deep = nested(depth);
      const manifests = [
        `[{"paths":${paths},"weights":[${spec.replace('"float32"', deep)}]}]`,
        `[{"paths":${paths},"weights":[${spec.replace('"w"', deep)}]}]`,
        `[{"paths":${paths},"weights":[${spec.replace('[2]', deep)}]}]`,
        `[{"paths":${paths},"weights":[${spec.replace('"uint8"', deep)}]}]`,
        `[{"paths":[${deep}],"weights":[${spec}]}]`, `[{"paths":${paths},"weights":[${deep}]}]`, `[${deep}]`, deep,
      ];
      for (const manifest of manifests) {
        const code = outcome(() => tfjs.read({ modelJson: { weightsManifest: JSON.parse(manifest) }, shards: model.shards }), manifest.slice(0, 80));
        expect(DATA_ERRORS, manifest.slice(0, 80)).toContain(code);
      }
    }
  });
});

describe('face-api TF.js models, damaged', () => {
  const dir = 'node_modules/@vladmandic/face-api/model';
  const load = async (name: string): Promise<TfjsModel> => {
    const manifest = JSON.parse(new TextDecoder().decode(await readRepoFile(`${dir}/${name}-weights_manifest.json`)));
    const shards: Record<string, Uint8Array> = {};
    for (const group of manifest) for (const path of group.paths) shards[path] = await readRepoFile(`${dir}/${path}`);
    return { modelJson: { weightsManifest: manifest }, shards };
  };
  const HOSTILE_VALUES: unknown[] = [
    null, undefined, -1, 0, 1.5, 2 ** 31, 2 ** 53, 1e300, NaN, Infinity, '', 'x', '__proto__', 'constructor', true, [], [-1], [2 ** 40, 2 ** 40],
    {}, { dtype: 'uint8' }, { dtype: 'uint16', scale: NaN, min: 0 }, { dtype: 'float16' },
  ];

  /** Every node of `value` (a JSON tree) with its path, the first `limit` of them in document order. */
  function nodes(value: unknown, limit: number): (string | number)[][] {
    const found: (string | number)[][] = [];
    const stack: [unknown, (string | number)[]][] = [[value, []]];
    while (stack.length > 0 && found.length < limit) {
      const [v, path] = stack.pop()!;
      found.push(path);
      if (typeof v === 'object' && v !== null) {
        for (const key of Object.keys(v).reverse()) stack.push([(v as Record<string, unknown>)[key], [...path, Array.isArray(v) ? Number(key) : key]]);
      }
    }
    return found;
  }

  function replaced(tree: unknown, path: (string | number)[], value: unknown): unknown {
    if (path.length === 0) return value;
    const copy = (Array.isArray(tree) ? [...tree] : { ...(tree as object) }) as Record<string | number, unknown>;
    copy[path[0]] = replaced(copy[path[0]], path.slice(1), value);
    return copy;
  }

  it('tiny_face_detector: each manifest field replaced by hostile values, bit flips in its JSON, cut and grown shards', async () => {
    const full = await load('tiny_face_detector_model');
    const [group] = full.modelJson.weightsManifest;
    const [shardPath] = group.paths;
    // Its first weights and the shard bytes they take: every kind of field the manifest has, small enough to read often.
    const weights = group.weights.slice(0, 8);
    const length = weights.reduce((n, w) => n + w.shape.reduce((a, d) => a * d, 1) * (w.quantization ? 1 : 4), 0);
    const model = { modelJson: { weightsManifest: [{ paths: [shardPath], weights }] }, shards: { [shardPath]: full.shards[shardPath].subarray(0, length) } };
    const whole = tfjs.read(full);
    for (const [name, t] of Object.entries(tfjs.read(model))) expect(t, name).toEqual(whole[name]);
    const seen = new Set<string>();
    const read = (m: TfjsModel, what: string) => {
      const code = outcome(() => tfjs.read(m), what);
      if (code !== 'OK' && !DATA_ERRORS.includes(code)) expect.fail(`${what}: ${code}`);
      seen.add(code);
    };
    const manifest = model.modelJson.weightsManifest;
    for (const path of nodes(manifest, 1000)) {
      for (const value of HOSTILE_VALUES) read({ ...model, modelJson: { weightsManifest: replaced(manifest, path, value) as never } }, `${path.join('.')} = ${String(value)}`);
    }
    const text = new TextEncoder().encode(JSON.stringify(manifest));
    let state = 7;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let round = 0; round < 1000; round++) {
      const copy = text.slice();
      copy[Math.floor(next() * copy.length)] ^= 1 << Math.floor(next() * 8);
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(copy));
      } catch {
        continue;
      }
      read({ ...model, modelJson: { weightsManifest: parsed as never } }, `bit flip ${round}`);
    }
    const shard = full.shards[shardPath];
    for (const cut of [0, 1, 100, shard.length >> 1, shard.length - 1]) read({ ...full, shards: { [shardPath]: shard.subarray(0, cut) } }, `shard cut to ${cut}`);
    read({ ...full, shards: { [shardPath]: Uint8Array.from([...shard, 0]) } }, 'shard grown by one byte');
    expect([...seen].sort()).toEqual(['CORRUPT', 'LIMIT', 'OK', 'TRUNCATED', 'UNSUPPORTED']);
  });
});
