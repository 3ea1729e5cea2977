// `tensorzip pack model.onnx` and `unpack -o model.onnx` (main() in this process): the whole model goes into the
// .tzip, and the model unpacked from it runs in onnxruntime-node to the original outputs, bit for bit when lossless.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { onnx, open, pack } from '../src/index';
import { REAL_ONNX_MODELS, runAll } from './helpers/onnx-models';
import { cli } from './helpers/cli';

const dir = mkdtempSync(join(tmpdir(), 'tensorzip-cli-onnx-'));
const at = (name: string) => join(dir, name);


describe('tensorzip pack / unpack of .onnx models', () => {
  const silero = REAL_ONNX_MODELS.find((m) => m.file === 'silero_vad.onnx')!;

  it('pack keeps the whole model (kind onnx); unpack -o x.onnx gives a model with the original outputs bit for bit', async () => {
    writeFileSync(at('vad.onnx'), silero.bytes);
    const packed = await cli('pack', at('vad.onnx'), '-o', at('vad.tzip'), '--quantize', 'lossless', '--json');
    expect(packed.code, packed.stderr).toBe(0);
    const archive = await open(new Uint8Array(readFileSync(at('vad.tzip'))));
    expect(archive.model).toEqual({ kind: 'onnx', entry: 'model.onnx' });
    expect(JSON.parse(packed.stdout)).toMatchObject({ tensors: archive.tensors.length, inputBytes: silero.bytes.length });
    expect((await cli('unpack', at('vad.tzip'), '-o', at('back.onnx'))).code).toBe(0);
    const back = new Uint8Array(readFileSync(at('back.onnx')));
    const feeds = silero.feeds(ort);
    expect(await runAll(await ort.InferenceSession.create(back), feeds)).toEqual(await runAll(await ort.InferenceSession.create(silero.bytes), feeds));
  });

  it('pack --shard-bytes shards a whole model; a session built from the shard index gives the original outputs bit for bit', async () => {
    const m = REAL_ONNX_MODELS.find((x) => x.file === 'embedding_model.onnx')!;
    writeFileSync(at('embedding-whole.onnx'), m.bytes);
    const packed = await cli('pack', at('embedding-whole.onnx'), '-o', at('embedding.tzip.json'), '--shard-bytes', '300000', '--quantize', 'lossless', '--json');
    expect(packed.code, packed.stderr).toBe(0);
    expect(JSON.parse(packed.stdout).shards).toBeGreaterThanOrEqual(3);
    const archive = await open(at('embedding.tzip.json'));
    expect(archive.model).toEqual({ kind: 'onnx', entry: 'model.onnx' });
    const feeds = m.feeds(ort);
    expect(await runAll(await onnx.createSession(ort, archive), feeds)).toEqual(await runAll(await ort.InferenceSession.create(m.bytes), feeds));
    // The same tensors and entry as one file holds.
    const single = await open(await onnx.pack(m.bytes, { quantize: 'lossless' }));
    expect(archive.tensors.map((t) => t.name)).toEqual(single.tensors.map((t) => t.name));
    expect(Buffer.compare(await archive.getEntry('model.onnx'), await single.getEntry('model.onnx'))).toBe(0);
  });

  it('reads external data files beside the model; refuses one outside its folder', async () => {
    const m = REAL_ONNX_MODELS.find((x) => x.file === 'embedding_model.onnx')!;
    const files = onnx.write(onnx.read(m.bytes), { externalData: 'embedding.bin' });
    writeFileSync(at('embedding.onnx'), files.model);
    writeFileSync(at('embedding.bin'), files.externalData!.data);
    const packed = await cli('pack', at('embedding.onnx'), '-o', at('embedding.tzip'), '--quantize', 'lossless', '--json');
    expect(packed.code, packed.stderr).toBe(0);
    expect(JSON.parse(packed.stdout).inputBytes).toBe(files.model.length + files.externalData!.data.length);
    expect((await cli('unpack', at('embedding.tzip'), '-o', at('embedding-back.onnx'))).code).toBe(0);
    const feeds = m.feeds(ort);
    expect(await runAll(await ort.InferenceSession.create(new Uint8Array(readFileSync(at('embedding-back.onnx')))), feeds))
      .toEqual(await runAll(await ort.InferenceSession.create(m.bytes), feeds));

    writeFileSync(at('escape.onnx'), onnx.write(onnx.read(m.bytes), { externalData: '../outside.bin' }).model);
    const refused = await cli('pack', at('escape.onnx'), '-o', at('escape.tzip'), '--json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stderr).code).toBe('CORRUPT');
  });

  it('pack --quantize int8 puts each weight\'s scales on the channel axis its operator gives (not the data\'s choice)', async () => {
    const mel = REAL_ONNX_MODELS.find((x) => x.file === 'melspectrogram.onnx')!;
    writeFileSync(at('mel.onnx'), mel.bytes);
    expect((await cli('pack', at('mel.onnx'), '-o', at('mel.tzip'), '--quantize', 'int8')).code).toBe(0);
    const stored = (await open(new Uint8Array(readFileSync(at('mel.tzip'))))).tensors.filter((t) => t.storedDtype === 'int8');
    // Conv weights [257, 1, 512] → 0, the MatMul's B [257, 32] → 1: where the data alone picks 2 and 0.
    expect(Object.fromEntries(stored.map((t) => [t.name, t.storedAxis]))).toEqual({ ...onnx.channelAxes(mel.bytes) });
    expect(stored.map((t) => t.storedAxis)).toEqual([0, 0, 1]);
  });

  it('unpack -o x.onnx of an archive without an ONNX model is UNSUPPORTED (exit 1)', async () => {
    const { tensors } = onnx.read(silero.bytes);
    writeFileSync(at('plain.tzip'), await pack(tensors));
    const r = await cli('unpack', at('plain.tzip'), '-o', at('x.onnx'), '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr).code).toBe('UNSUPPORTED');
  });
});
