// ONNX Runtime from a .tzip: onnx.createSession builds an InferenceSession (onnxruntime-web, -node, -react-native:
// the caller passes the package in; tensorzip never imports it), onnx.fromArchive writes the .onnx file back.
// Initializers of 1 KiB and more go to ONNX Runtime as `externalData`, one buffer per tensor, viewed where the decode
// left it: on a 192 MiB model (bench/onnx-session-load.ts) that peaks at 606 MiB resident against 710 MiB for the
// same model rebuilt inline (and 696 MiB for one concatenated external file), in the same time.
import { TensorzipError } from '../errors';
import type { Archive, OpenOptions } from '../format';
import type { ArchiveSource, SourceOptions } from '../io/sources';
import { readOnnxArchive } from '../io/onnx-archive';
import { writeModel, writeOnnx } from '../io/onnx-write';
import { onnxFiles, type OnnxFiles, type OnnxWriteOptions } from '../io';

/** What createSession uses of an onnxruntime package: `InferenceSession.create(bytes, options)`. */
export interface OrtLike<Session, Options> {
  InferenceSession: { create(model: Uint8Array, options?: Options): Promise<Session> };
}

interface ExternalFile {
  path: string;
  data: Uint8Array;
}

/** ONNX models: reading and writing .onnx files, and ONNX Runtime sessions from a .tzip. */
export interface Onnx {
  read: typeof onnxFiles.read;
  write: typeof onnxFiles.write;
  channelAxes: typeof onnxFiles.channelAxes;
  /**
   * An ONNX Runtime `InferenceSession` from a .tzip packed from a .onnx model (model kind `onnx`): the source is
   * anything open() takes, or an open archive. Every tensor is decoded (float16 initializers stay float16, a
   * quantized float32 initializer takes its decoded values) and handed to ORT with the model, without writing a
   * file. A .tzip without a model is ARGUMENT, with another model kind UNSUPPORTED, a model that does not match its
   * tensors CORRUPT.
   * @example
   * import * as ort from 'onnxruntime-web';
   * import { onnx } from 'tensorzip';
   * const session = await onnx.createSession(ort, 'https://example.com/model.tzip', { executionProviders: ['wasm'] });
   * const out = await session.run({ input: new ort.Tensor('float32', samples, [1, samples.length]) });
   */
  createSession<Session, Options extends object>(
    ort: OrtLike<Session, Options>, source: ArchiveSource | Archive, sessionOptions?: Options, openOptions?: OpenOptions & SourceOptions,
  ): Promise<Session>;
  /**
   * The .onnx file (and, with `{ externalData: 'model.onnx.data' }`, its external data file) of a .tzip packed from
   * an ONNX model, as `onnx.write` makes it.
   * @example
   * const { model } = await onnx.fromArchive(await open('model.tzip'));
   * await writeFile('model.onnx', model);
   */
  fromArchive(archive: Archive, options?: OnnxWriteOptions): Promise<OnnxFiles>;
}

const isArchive = (source: unknown): source is Archive =>
  typeof (source as Archive | null)?.getEntry === 'function' && Array.isArray((source as Archive).tensors);

export function bindOnnx(open: (source: ArchiveSource, options?: OpenOptions & SourceOptions) => Promise<Archive>): Onnx {
  return {
    ...onnxFiles,
    async createSession(ort, source, sessionOptions, openOptions) {
      if (typeof ort?.InferenceSession?.create !== 'function') throw new TensorzipError('ARGUMENT', 'onnx.createSession: expected the onnxruntime package (onnxruntime-web or onnxruntime-node) as the first argument');
      const archive = isArchive(source) ? source : await open(source, openOptions);
      const model = await readOnnxArchive(archive, 'onnx.createSession');
      const given = (sessionOptions as { externalData?: readonly unknown[] } | undefined)?.externalData ?? [];
      const externalData: ExternalFile[] = [];
      const bytes = writeModel(model, (_, data) => {
        const path = `tensorzip-${externalData.length}`;
        externalData.push({ path, data });
        return { location: path, offset: 0 };
      }, 'CORRUPT');
      const options = { ...sessionOptions, ...(externalData.length > 0 ? { externalData: [...given, ...externalData] } : {}) } as typeof sessionOptions;
      return ort.InferenceSession.create(bytes, options);
    },
    async fromArchive(archive, options) {
      return writeOnnx(await readOnnxArchive(archive, 'onnx.fromArchive'), options, 'CORRUPT');
    },
  };
}
