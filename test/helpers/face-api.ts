// The seven TF.js models @vladmandic/face-api ships (uint8-quantized weights, a few float32 ones, quantized int32
// constants), read from node_modules as a test would fetch them: manifest plus shard bytes.
import type { TfjsModel } from '../../src/index';
import { readRepoFile } from './files';

const MODEL_DIR = 'node_modules/@vladmandic/face-api/model';
export const FACE_API_MODELS = ['age_gender_model', 'face_expression_model', 'face_landmark_68_model',
  'face_landmark_68_tiny_model', 'face_recognition_model', 'ssd_mobilenetv1_model', 'tiny_face_detector_model'];

export async function loadFaceApiModel(name: string): Promise<TfjsModel> {
  const manifest = JSON.parse(new TextDecoder().decode(await readRepoFile(`${MODEL_DIR}/${name}-weights_manifest.json`)));
  const shards: Record<string, Uint8Array> = {};
  for (const group of manifest) for (const path of group.paths) shards[path] = await readRepoFile(`${MODEL_DIR}/${path}`);
  return { modelJson: { weightsManifest: manifest }, shards };
}

/** Every weight of the seven models, named `<model>/<weight>`, as `read` (an engine's tfjs.read) gives them. */
export async function faceApiWeights<T>(read: (model: TfjsModel) => Record<string, T>): Promise<Record<string, T>> {
  const weights: Record<string, T> = {};
  for (const model of FACE_API_MODELS) {
    for (const [name, t] of Object.entries(read(await loadFaceApiModel(model)))) weights[`${model}/${name}`] = t;
  }
  return weights;
}
