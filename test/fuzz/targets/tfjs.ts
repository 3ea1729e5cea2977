// tfjs.read on any model.json + shards. An input is model.json's text, a 0 byte, a JSON map of shard path → byte
// length, a 0 byte, then the shards one after another. Both builds agree, and what tfjs.read gives, tfjs-core's own
// io.decodeWeights gives too, value for value.
import type { TfjsModel } from '../../../src/index';
import { tfjsCoreLoad } from '../../helpers/tfjs-core-load';
import { attempt, DAMAGED_DATA, expectSame, FuzzFailure, offsetView, sameOutcome, type FuzzTarget, type JsonSpan } from '../target';
import { concat } from '../mutate-bytes';

// uint8-quantized weights become float32: 4x, and the shards are joined once.
const EXPANSION = 8;

export function encodeModel(modelJson: unknown, shards: Record<string, Uint8Array>): Uint8Array {
  const text = new TextEncoder();
  const sizes = Object.fromEntries(Object.entries(shards).map(([path, bytes]) => [path, bytes.length]));
  return concat(text.encode(JSON.stringify(modelJson)), Uint8Array.of(0), text.encode(JSON.stringify(sizes)), Uint8Array.of(0), ...Object.values(shards));
}

function split(bytes: Uint8Array): [Uint8Array, Uint8Array, Uint8Array] | undefined {
  const first = bytes.indexOf(0);
  const second = first < 0 ? -1 : bytes.indexOf(0, first + 1);
  return second < 0 ? undefined : [bytes.subarray(0, first), bytes.subarray(first + 1, second), bytes.subarray(second + 1)];
}

function decodeModel(bytes: Uint8Array): TfjsModel | undefined {
  const parts = split(bytes);
  if (parts === undefined) return undefined;
  try {
    const text = new TextDecoder();
    const modelJson = JSON.parse(text.decode(parts[0]));
    const sizes = JSON.parse(text.decode(parts[1])) as Record<string, unknown>;
    let at = 0;
    // A plain object with own properties, as a caller builds it (`{ [path]: bytes }`).
    const shards = Object.fromEntries(Object.entries(sizes).map(([path, size]) => {
      const length = Math.max(0, Math.min(Number(size) || 0, parts[2].length - at));
      at += length;
      return [path, parts[2].slice(at - length, at)];
    }));
    return { modelJson, shards };
  } catch {
    return undefined;
  }
}

const BYTES_PER_ELEMENT: Record<string, number> = { uint8: 1, uint16: 2, float16: 2, float32: 4, int32: 4, bool: 1 };

/** A few weights of a face-api model (≤ 6 KB of shard), as the converter wrote them. */
async function faceApiSlice(model: string): Promise<Uint8Array> {
  const { readFile } = await import('node:fs/promises');
  const dir = 'node_modules/@vladmandic/face-api/model/';
  const manifest = JSON.parse(await readFile(`${dir}${model}-weights_manifest.json`, 'utf8'));
  const shard = new Uint8Array(await readFile(`${dir}${model}.bin`));
  const weights = [];
  let bytes = 0;
  for (const w of manifest[0].weights) {
    const size = w.shape.reduce((n: number, d: number) => n * d, 1) * BYTES_PER_ELEMENT[w.quantization?.dtype ?? w.dtype];
    if (bytes + size > 6000) break;
    weights.push(w);
    bytes += size;
  }
  const paths = ['shard1of2.bin', 'shard2of2.bin'];
  const half = Math.floor(bytes / 2);
  return encodeModel({ format: 'graph-model', weightsManifest: [{ paths, weights }] }, { [paths[0]]: shard.slice(0, half), [paths[1]]: shard.slice(half, bytes) });
}

export const tfjs: FuzzTarget = {
  name: 'tfjs',
  async seeds({ simd }) {
    const w = Float32Array.from({ length: 60 }, (_, i) => Math.cos(i));
    const tensors = { dense: { dtype: 'float32' as const, shape: [6, 10], data: w }, ids: { dtype: 'int32' as const, shape: [3], data: Int32Array.of(-1, 0, 7) }, on: { dtype: 'bool' as const, shape: [2], data: Uint8Array.of(1, 0) } };
    const written = (['uint8', 'uint16', 'float16', undefined] as const).map((quantize) => simd.tfjs.write(tensors, { quantize, shardBytes: 100 }));
    return [
      ...written.map((m) => encodeModel(m.modelJson, m.shards)),
      await faceApiSlice('tiny_face_detector_model'),
      await faceApiSlice('face_landmark_68_tiny_model'),
    ];
  },
  async run({ simd, scalar }, bytes) {
    const model = decodeModel(bytes);
    if (model === undefined) return 'SKIP';
    const viewed = { modelJson: model.modelJson, shards: Object.fromEntries(Object.entries(model.shards).map(([p, b]) => [p, offsetView(b)])) };
    const a = await attempt(() => simd.tfjs.read(viewed), DAMAGED_DATA, 'tfjs.read', bytes.length, EXPANSION);
    const b = await attempt(() => scalar.tfjs.read(model), DAMAGED_DATA, 'tfjs.read (scalar)', bytes.length, EXPANSION);
    sameOutcome(a, b, 'tfjs.read');
    if (!a.ok) return a.outcome;
    const listed = model.modelJson.weightsManifest.reduce((n, group) => n + group.weights.length, 0);
    if (Object.keys(a.value).length !== listed) throw new FuzzFailure('tfjs.read: fewer weights than the manifest lists', `${Object.keys(a.value).length} of ${listed}`);
    let reference: ReturnType<typeof tfjsCoreLoad>;
    try {
      reference = tfjsCoreLoad(model);
    } catch (err) {
      // tfjs-core's decodeWeights crashes (a TypeError, not a refusal) on a weight of zero elements, which the
      // manifest allows and tfjs.read gives as an empty tensor: no reference to compare with.
      const empty = model.modelJson.weightsManifest.some((group) => group.weights.some((w) => w.shape.includes(0)));
      if (err instanceof TypeError && empty) return 'OK: an empty weight';
      throw new FuzzFailure('tfjs.read accepts what tfjs-core refuses', String(err));
    }
    // tfjs-core keeps the weights in a plain object, where a weight named __proto__ sets its prototype rather than a
    // key: that one weight it loses, and tfjs.read keeps, is not compared.
    const names = Object.keys(a.value).filter((name) => name !== '__proto__' || Object.hasOwn(reference, name));
    if (names.length !== Object.keys(reference).length) throw new FuzzFailure('tfjs.read and tfjs-core give different weight counts', `${names.length} vs ${Object.keys(reference).length}`);
    for (const name of names) {
      if (!Object.hasOwn(reference, name)) throw new FuzzFailure('tfjs.read gives a weight tfjs-core does not', name);
      expectSame(a.value[name].data, reference[name].values, 'tfjs.read differs from tfjs-core');
    }
    return 'OK';
  },
  json(bytes): JsonSpan | undefined {
    const parts = split(bytes);
    if (parts === undefined) return undefined;
    return {
      text: new TextDecoder().decode(parts[0]),
      rebuild: (text) => concat(new TextEncoder().encode(text), bytes.subarray(parts[0].length)),
    };
  },
};
