// The @vladmandic/human TF.js models the auto-rd benches run, each with the input it is judged on (face-api's demo
// photo, prepared as human prepares it) and the task's answer read from its outputs.
import * as tf from '@tensorflow/tfjs-core';
import { readRepoFile } from '../test/helpers/files';
import { readPng } from '../test/helpers/png';

export type Outputs = Float32Array[];

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let [ab, aa, bb] = [0, 0, 0];
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa === 0 && bb === 0 ? 1 : ab / Math.sqrt(aa * bb);
}

export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

/** face-api's demo photo (the group on its screenshot) and the leftmost face in it, as in the adapter tests. */
const screenshot = readPng(await readRepoFile('node_modules/@vladmandic/face-api/demo/screenshot-images.png'));
const [left, top, width, height] = [0, 426, 382, 307];
const pixels = new Int32Array(width * height * 3);
for (let y = 0; y < height; y++) {
  const row = ((top + y) * screenshot.width + left) * 3;
  pixels.set(screenshot.data.subarray(row, row + width * 3), y * width * 3);
}
const photo = tf.tensor3d(pixels, [height, width, 3], 'int32');
const face = tf.slice(photo, [96, 40, 0], [60, 52, 3]);
const LUMA = tf.tensor1d([0.2989, 0.587, 0.114]);
const resized = (image: tf.Tensor3D, size: number) => tf.expandDims(tf.image.resizeBilinear(image, [size, size]), 0);

export const HUMAN_CASES: { name: string; input: () => tf.Tensor; answer: (o: Outputs) => string }[] = [
  // Inputs prepared as @vladmandic/human prepares them: emotion takes luma (its RGB weights) scaled to -1..1,
  // antispoof RGB in 0..1, blazeface RGB in -1..1, MoveNet int32 pixels.
  { name: 'emotion', input: () => tf.sub(tf.mul(tf.sum(tf.mul(tf.div(resized(face, 64), 255), LUMA), 3, true), 2), 1), answer: (o) => `class ${argmax(o[0])}` },
  { name: 'antispoof', input: () => tf.div(resized(face, 128), 255), answer: (o) => (o[0][0] >= 0.5 ? 'real' : 'fake') },
  // blazeface: where faces are, as the cells of an 8x8 grid over the photo holding an anchor of face score ≥ 0.5
  // (logit ≥ 0). Its four outputs, as human reads them: the scores of 512 anchors (two per cell of 16x16) and of 384
  // (six per cell of 8x8), [1, n, 1] each, beside their boxes [1, n, 16].
  { name: 'blazeface', input: () => tf.sub(tf.div(resized(photo, 256), 127.5), 1), answer: (o) => {
    const scores = (n: number) => o.find((x) => x.length === n)!;
    const logits = [...scores(512), ...scores(384)];
    const cells = new Set<number>();
    for (let i = 0; i < 896; i++) {
      if (logits[i] < 0) continue;
      const cell16 = i >> 1;
      cells.add(i < 512 ? ((cell16 >> 5) << 3) + ((cell16 & 15) >> 1) : Math.floor((i - 512) / 6));
    }
    return `faces in cells ${[...cells].sort((a, b) => a - b).join(',')}`;
  } },
  // movenet: the 17 keypoints; the answer holds when none of those it finds (score ≥ 0.3) moves by 2% of the image.
  { name: 'movenet-lightning', input: () => tf.cast(resized(photo, 192), 'int32'), answer: (o) => `${Array.from({ length: 17 }, (_, k) => o[0][3 * k + 2] >= 0.3).filter(Boolean).length} keypoints` },
];
