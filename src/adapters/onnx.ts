// ONNX Runtime from a .tzip: onnx.createSession builds an InferenceSession (onnxruntime-web, -node, -react-native:
// the caller passes the package in; tensorzip never imports it).
// Each tensor is decoded straight into its raw_data in the model handed to ONNX Runtime (io/onnx-place.ts): one buffer
// the size of the original .onnx, which ORT takes as it takes that file — on a 192 MiB model (bench/onnx-session-load.ts,
// loaded VM) ready in 2.9 s at a peak of 608 MiB resident, against 3.1 s and 641 MiB with the initializers of 1 KiB
// and more as `externalData` (one buffer per tensor) and 5.0 s and 848 MiB for a model rebuilt around decoded tensors.
// Models that plan does not place (4-bit tensors, past protobuf's 2 GiB, tensors that do not fit the model) are
// written by writeModel, with those initializers as `externalData`.
import { TensorzipError } from '../errors';
import type { Archive, OpenOptions } from '../format';
import type { ArchiveSource, SourceOptions } from '../io/sources';
import { placeOnnxTensors, readOnnxEntry } from '../io/onnx-archive';
import { writeModel } from '../io/onnx-write';
import { isArchive } from './is-archive';
import { READS_EVERY_TENSOR } from '../io/http-source';

/** What createSession uses of an onnxruntime package: `InferenceSession.create(bytes, options)`. */
export interface OrtLike<Session, Options> {
  InferenceSession: { create(model: Uint8Array, options?: Options): Promise<Session> };
}

interface ExternalFile {
  path: string;
  data: Uint8Array;
}

/** ONNX Runtime sessions from a .tzip. */
export interface OnnxAdapter {
  /**
   * An ONNX Runtime `InferenceSession` from a .tzip packed from a .onnx model (`onnx.pack`, `tensorzip pack
   * model.onnx`): the source is anything open() takes (bytes, a Blob, a URL read with Range requests, a path in
   * Node) or an archive already open. From a URL, the first request asks for the file's first 8 MiB rather than
   * 64 KiB, since every tensor is read next: a model of a few MB comes in one request. Every tensor is decoded
   * (float16 initializers stay float16, a quantized float32 initializer takes its decoded values) and handed to ORT
   * with the model, without writing a file; the caller's `sessionOptions` are passed on. An archive of another
   * model kind or of none is UNSUPPORTED, tensors that do not match the model CORRUPT.
   * @example
   * import * as ort from 'onnxruntime-web';
   * import { onnx } from 'tensorzip';
   * const session = await onnx.createSession(ort, 'https://example.com/model.tzip', { executionProviders: ['wasm'] });
   * const out = await session.run({ input: new ort.Tensor('float32', samples, [1, samples.length]) });
   */
  createSession<Session, Options extends object>(
    ort: OrtLike<Session, Options>, source: ArchiveSource | Archive, sessionOptions?: Options, openOptions?: OpenOptions & SourceOptions,
  ): Promise<Session>;
}


export function bindOnnxAdapter(open: (source: ArchiveSource, options?: OpenOptions & SourceOptions) => Promise<Archive>): OnnxAdapter {
  return {
    async createSession(ort, source, sessionOptions, openOptions) {
      if (typeof ort?.InferenceSession?.create !== 'function') throw new TensorzipError('ARGUMENT', 'onnx.createSession: expected the onnxruntime package (onnxruntime-web or onnxruntime-node) as the first argument');
      const given = isArchive(source);
      const archive = given ? source : await open(source, { ...openOptions, [READS_EVERY_TENSOR]: true } as OpenOptions & SourceOptions);
      let model: { bytes: Uint8Array; externalData: ExternalFile[] };
      try {
        model = await modelForOrt(archive);
      } finally {
        // An archive it opened: the downloaded file is freed before ORT copies the model (close()).
        if (!given) archive.close();
      }
      if (model.externalData.length === 0) return ort.InferenceSession.create(model.bytes, sessionOptions);
      const givenData = (sessionOptions as { externalData?: readonly unknown[] } | undefined)?.externalData ?? [];
      return ort.InferenceSession.create(model.bytes, { ...sessionOptions, externalData: [...givenData, ...model.externalData] } as typeof sessionOptions);
    },
  };
}

/** The model ORT takes: the .onnx with each tensor decoded into its place, else one written around the decoded
 *  tensors, with the initializers writeModel leaves out as `externalData`. */
async function modelForOrt(archive: Archive): Promise<{ bytes: Uint8Array; externalData: ExternalFile[] }> {
  const entry = await readOnnxEntry(archive, 'onnx.createSession');
  const placed = await placeOnnxTensors(archive, entry);
  if (placed !== null) return { bytes: placed, externalData: [] };
  const externalData: ExternalFile[] = [];
  const bytes = writeModel({ model: entry, tensors: await archive.getAll() }, (_, data) => {
    const path = `tensorzip-${externalData.length}`;
    externalData.push({ path, data });
    return { location: path, offset: 0 };
  }, 'CORRUPT');
  return { bytes, externalData };
}
