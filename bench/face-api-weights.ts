// face-api's seven TF.js models as float32 weights (tfjs.read dequantizes the shipped uint8 shards), and their int8
// per-channel codes (quant.quantize along the last axis), as the benches that decode real codes use them.
import { readFileSync } from 'node:fs';
import type { Engine, TensorInput } from 'tensorzip';

const FACE_API = 'node_modules/@vladmandic/face-api/model';
const MODELS = ['age_gender_model', 'face_expression_model', 'face_landmark_68_model', 'face_landmark_68_tiny_model',
  'face_recognition_model', 'ssd_mobilenetv1_model', 'tiny_face_detector_model'];

/** face-api's weights as float32, named `model/tensor`, and the shipped shards' bytes. */
export function faceApi(engine: Engine): { tensors: Record<string, TensorInput>; shipped: number } {
  const tensors: Record<string, TensorInput> = {};
  let shipped = 0;
  for (const model of MODELS) {
    const manifest = JSON.parse(readFileSync(`${FACE_API}/${model}-weights_manifest.json`, 'utf8'));
    const shards = Object.fromEntries(manifest.flatMap((g: { paths: string[] }) => g.paths).map((p: string) => [p, new Uint8Array(readFileSync(`${FACE_API}/${p}`))]));
    shipped += Object.values(shards).reduce((n, s) => n + (s as Uint8Array).length, 0);
    for (const [name, t] of Object.entries(engine.tfjs.read({ modelJson: { weightsManifest: manifest }, shards }))) tensors[`${model}/${name}`] = t;
  }
  return { tensors, shipped };
}

/** int8 per-channel codes of every float32 face-api weight, as int8 tensors. */
export function int8Codes(engine: Engine): Record<string, TensorInput> {
  const out: Record<string, TensorInput> = {};
  for (const [name, t] of Object.entries(faceApi(engine).tensors)) {
    if (!(t.data instanceof Float32Array)) continue;
    const q = t.shape.length === 0 ? engine.quant.quantize(t.data, { dtype: 'int8', shape: [] })
      : engine.quant.quantize(t.data, { dtype: 'int8', shape: [...t.shape], axis: t.shape.length - 1 });
    out[name] = { dtype: 'int8', shape: [...t.shape], data: q.data as Int8Array };
  }
  return out;
}
