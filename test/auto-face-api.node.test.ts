// int8 per output channel keeps real models working: face-api's networks (its own TypeScript sources, run by
// tfjs-core on the CPU backend) on weights decoded from a .tzip packed with quantize 'int8' (the channel axis chosen as
// 'auto' chooses it; 'auto' itself keeps these already-quantized weights exact, test/auto-rate.node.test.ts), against
// the shipped weights, on a real photo. Two detectors built on depthwise convolutions (SSD MobileNet v1, Tiny Face Detector), the 68-point landmark
// net (depthwise-separable too) and the ResNet face descriptor. Node only: a few seconds of CPU inference per model.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import { init, open, pack, tfjs, type Tensor, type TensorInput } from '../src/index';
import { readRepoFile } from './helpers/files';
import { readPng } from './helpers/png';

// face-api's sources import TF.js from its bundle; tfjs-core stands in for it.
vi.mock('../node_modules/@vladmandic/face-api/dist/tfjs.esm.js', async () => await import('@tensorflow/tfjs-core'));
const { SsdMobilenetv1 } = await import('../node_modules/@vladmandic/face-api/src/ssdMobilenetv1/SsdMobilenetv1');
const { TinyFaceDetector } = await import('../node_modules/@vladmandic/face-api/src/tinyFaceDetector/TinyFaceDetector');
const { TinyFaceDetectorOptions } = await import('../node_modules/@vladmandic/face-api/src/tinyFaceDetector/TinyFaceDetectorOptions');
const { FaceLandmark68Net } = await import('../node_modules/@vladmandic/face-api/src/faceLandmarkNet/FaceLandmark68Net');
const { FaceRecognitionNet } = await import('../node_modules/@vladmandic/face-api/src/faceRecognitionNet/FaceRecognitionNet');

const FACE_API = 'node_modules/@vladmandic/face-api';

async function loadWeights(model: string): Promise<Record<string, TensorInput>> {
  const manifest = JSON.parse(new TextDecoder().decode(await readRepoFile(`${FACE_API}/model/${model}-weights_manifest.json`)));
  const shards: Record<string, Uint8Array> = {};
  for (const group of manifest) for (const path of group.paths) shards[path] = await readRepoFile(`${FACE_API}/model/${path}`);
  return tfjs.read({ modelJson: { weightsManifest: manifest }, shards });
}

/** The shipped weights, and the same packed with pack()'s defaults and decoded, with the axis each was stored on. */
async function originalAndAuto(model: string) {
  const original = await loadWeights(model);
  const archive = await open(await pack(original, { quantize: 'int8' }));
  const storedAxis = new Map(archive.tensors.map((t) => [t.name, t.storedAxis]));
  return { original, auto: await archive.getAll(), storedAxis };
}

const weightMap = (weights: Record<string, TensorInput | Tensor>): tf.NamedTensorMap =>
  Object.fromEntries(Object.entries(weights).map(([name, t]) => [name, tf.tensor(t.data as Float32Array | Int32Array, [...t.shape], t.dtype as 'float32' | 'int32')]));

function load<T extends { loadFromWeightMap(map: tf.NamedTensorMap): void }>(net: T, weights: Record<string, TensorInput | Tensor>): T {
  net.loadFromWeightMap(weightMap(weights));
  return net;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** Every depthwise kernel ([h, w, channels, 1], large enough to quantize) stored with one scale per channel (axis 2). */
function expectDepthwiseOnAxis2(weights: Record<string, TensorInput>, storedAxis: Map<string, number | null>): number {
  const depthwise = Object.entries(weights).filter(([name, t]) => t.shape.length === 4 && t.shape[3] === 1 && storedAxis.get(name) !== null);
  for (const [name] of depthwise) expect(storedAxis.get(name), name).toBe(2);
  return depthwise.length;
}

/** A group photo from face-api's demo page (the screenshot's second sample, left column), as a tensor. */
let photo: tf.Tensor3D;
/** The leftmost face of the photo, where SSD MobileNet finds it with the shipped weights (x 48, y 104, 37 × 43). */
let face: tf.Tensor3D;

beforeAll(async () => {
  await init();
  await tf.setBackend('cpu');
  const screenshot = readPng(await readRepoFile(`${FACE_API}/demo/screenshot-images.png`));
  const [left, top, width, height] = [0, 426, 382, 307];
  const pixels = new Int32Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const row = ((top + y) * screenshot.width + left) * 3;
    pixels.set(screenshot.data.subarray(row, row + width * 3), y * width * 3);
  }
  photo = tf.tensor3d(pixels, [height, width, 3], 'int32');
  face = tf.slice(photo, [96, 40, 0], [60, 52, 3]);
});

interface Detection { score: number; box: { x: number; y: number; width: number; height: number } }

/** The same faces, in order, with boxes within `pixels` and scores within `scores`. */
function expectSameFaces(want: Detection[], got: Detection[], pixels: number, scores: number): void {
  expect(want.length).toBeGreaterThanOrEqual(3);
  expect(got.length).toBe(want.length);
  for (const [i, w] of want.entries()) {
    const [a, b] = [w.box, got[i].box];
    expect(maxDifference([a.x, a.y, a.width, a.height], [b.x, b.y, b.width, b.height]), `face ${i} box`).toBeLessThan(pixels);
    expect(Math.abs(w.score - got[i].score), `face ${i} score`).toBeLessThan(scores);
  }
}

// The bounds sit between what int8 per output channel gives and what the old single axis gave (README, "auto on
// real models"): one scale per kernel row (axis 0) moved SSD boxes by 4 px and Tiny Face Detector boxes by 1.3 px.
describe('pack() int8 keeps face-api\'s models working in tfjs-core', { timeout: 600_000 }, () => {
  it('ssd_mobilenetv1 (depthwise): the same faces, boxes within 2.5 px, scores within 0.03', async () => {
    const { original, auto, storedAxis } = await originalAndAuto('ssd_mobilenetv1_model');
    expect(expectDepthwiseOnAxis2(original, storedAxis)).toBeGreaterThan(0);
    const options = { minConfidence: 0.5, maxResults: 20 };
    const want = await load(new SsdMobilenetv1(), original).locateFaces(photo, options);
    const got = await load(new SsdMobilenetv1(), auto).locateFaces(photo, options);
    expectSameFaces(want, got, 2.5, 0.03);
  });

  it('tiny_face_detector (depthwise-separable): the same faces, boxes within 1 px, scores within 0.01', async () => {
    const { original, auto, storedAxis } = await originalAndAuto('tiny_face_detector_model');
    expect(expectDepthwiseOnAxis2(original, storedAxis)).toBeGreaterThan(0);
    const options = new TinyFaceDetectorOptions({ inputSize: 416, scoreThreshold: 0.5 });
    const want = await load(new TinyFaceDetector(), original).locateFaces(photo, options);
    const got = await load(new TinyFaceDetector(), auto).locateFaces(photo, options);
    expectSameFaces(want, got, 1, 0.01);
  });

  it('face_landmark_68 (depthwise-separable): the 68 points within 0.2 px, output cosine ≥ 0.99999', async () => {
    const { original, auto, storedAxis } = await originalAndAuto('face_landmark_68_model');
    expect(expectDepthwiseOnAxis2(original, storedAxis)).toBeGreaterThan(0);
    const points = async (weights: Record<string, TensorInput | Tensor>) => {
      const landmarks = await load(new FaceLandmark68Net(), weights).detectLandmarks(face) as { positions: { x: number; y: number }[] };
      return landmarks.positions.flatMap((p) => [p.x, p.y]);
    };
    const [want, got] = [await points(original), await points(auto)];
    expect(want.length).toBe(136);
    expect(maxDifference(want, got)).toBeLessThan(0.2);
    expect(cosine(want, got)).toBeGreaterThanOrEqual(0.99999);
  });

  it('face_recognition (plain convolutions): the descriptor at cosine ≥ 0.9998, distance ≤ 0.03 (faces match below 0.6)', async () => {
    const { original, auto } = await originalAndAuto('face_recognition_model');
    const want = await load(new FaceRecognitionNet(), original).computeFaceDescriptor(face) as Float32Array;
    const got = await load(new FaceRecognitionNet(), auto).computeFaceDescriptor(face) as Float32Array;
    expect(want.length).toBe(128);
    expect(cosine(want, got)).toBeGreaterThanOrEqual(0.9998);
    expect(Math.hypot(...Array.from(want, (v, i) => v - got[i]))).toBeLessThanOrEqual(0.03);
  });
});
