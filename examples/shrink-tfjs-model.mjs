// Shrinks a TF.js model's weights into .tzip files, one per quantize mode, and reports what each costs.
//   node examples/shrink-tfjs-model.mjs [model.json or *-weights_manifest.json]
// Without an argument it uses a face-recognition model that the @vladmandic/face-api package ships.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { open, pack, tfjs } from 'tensorzip';

const path = process.argv[2] ?? 'node_modules/@vladmandic/face-api/model/face_recognition_model-weights_manifest.json';
const json = JSON.parse(readFileSync(path, 'utf8'));
const modelJson = Array.isArray(json) ? { weightsManifest: json } : json; // a bare manifest, or a model.json
const shards = {};
for (const group of modelJson.weightsManifest) {
  for (const shard of group.paths) shards[shard] = new Uint8Array(readFileSync(join(dirname(path), shard)));
}
const weights = tfjs.read({ modelJson, shards });
const shipped = Object.values(shards).reduce((n, s) => n + s.length, 0);
const float32 = Object.values(weights).reduce((n, t) => n + t.data.byteLength, 0);
console.log(`${path}: ${Object.keys(weights).length} tensors, ${float32} bytes as float32, ${shipped} bytes shipped`);

// Each weight's channel axis as the model's graph gives it (none in a bare manifest: then pack() picks, per tensor,
// the axis whose scales leave the least error — depthwise [h, w, c, 1] kernels → 2, HWIO → 3).
const channelAxes = tfjs.channelAxes(modelJson);
for (const quantize of ['lossless', 'fp16', 'int8', 'int4']) {
  const file = await pack(weights, { quantize, channelAxes });
  const archive = await open(file);
  const worst = Math.max(0, ...archive.tensors.map((t) => t.stats?.maxAbsError ?? 0));
  const started = performance.now();
  await archive.getAll(); // every tensor decoded, every chunk's checksum verified
  const ms = performance.now() - started;
  console.log(`${quantize.padEnd(8)} ${String(file.length).padStart(9)} bytes  ${(float32 / file.length).toFixed(2)}x of float32  ` +
    `worst |error| ${worst.toExponential(2)}  decoded in ${ms.toFixed(1)} ms`);
}
