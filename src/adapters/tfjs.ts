// The TF.js adapter: a .tzip holding a TF.js model (kind tfjs-graph or tfjs-layers) as an IOHandler, which
// tf.loadGraphModel and tf.loadLayersModel take in place of a URL. TF.js is never imported: a handler is any object
// with load(), and the artifacts are plain data.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import type { Archive, OpenOptions } from '../format/archive';
import type { SourceOptions } from '../io/sources';
import type { TfjsWeightSpec } from '../io/tfjs';
import { readTfjsArchive, TFJS_KINDS } from '../io/tfjs-archive';
import { isArchive } from './is-archive';
import { READS_EVERY_TENSOR } from '../io/http-source';

/** What TF.js's ModelArtifacts holds of a model.json: the fields tfjs-core's own loaders copy, and the weights. */
export interface TfjsModelArtifacts {
  modelTopology?: object;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  /** Keras's training configuration (layers models that were compiled). */
  trainingConfig?: {
    optimizer_config: object; loss: string | string[] | Record<string, string>; metrics?: string[] | Record<string, string>;
    weighted_metrics?: string[]; sample_weight_mode?: string; loss_weights?: number[] | Record<string, number>;
  };
  signature?: object;
  userDefinedMetadata?: Record<string, object>;
  modelInitializer?: object;
  initializerSignature?: object;
  /** The weights manifest's entries, in order; quantized weights keep their `quantization`. */
  weightSpecs: TfjsWeightSpec[];
  /** Every weight's bytes one after another, as TF.js stores them. */
  weightData: ArrayBuffer;
}

/** A TF.js IOHandler that loads (no save). */
export interface TfjsIOHandler {
  load(): Promise<TfjsModelArtifacts>;
}

/** open()'s options, for a source the handler opens. `onProgress(done, total)`: for a source, bytes of the file read
 *  (downloaded, for a URL) and its size; for an archive already open, bytes of weights decoded and in all. */
export type TfjsHandlerOptions = OpenOptions & SourceOptions;

/** model.json fields that go into ModelArtifacts as they are (tfjs-core's getModelArtifactsForJSON copies these). */
const ARTIFACT_FIELDS = ['modelTopology', 'format', 'generatedBy', 'convertedBy', 'trainingConfig', 'signature', 'userDefinedMetadata', 'modelInitializer', 'initializerSignature'];

/** ModelArtifacts from model.json's fields and the weights, as tfjs-core's own loaders make them. */
export function tfjsArtifacts(modelJson: Record<string, unknown>, weightSpecs: TfjsWeightSpec[], weightData: Uint8Array): TfjsModelArtifacts {
  const artifacts: Record<string, unknown> = {};
  for (const field of ARTIFACT_FIELDS) if (modelJson[field] !== undefined && modelJson[field] !== null) artifacts[field] = modelJson[field];
  const exact = weightData.byteOffset === 0 && weightData.byteLength === weightData.buffer.byteLength ? weightData : weightData.slice();
  return { ...artifacts, weightSpecs, weightData: exact.buffer as ArrayBuffer };
}

export interface TfjsAdapter {
  /**
   * A TF.js IOHandler over a .tzip holding a TF.js model (`tensorzip pack model.json`, `tfjs.pack`): pass it to
   * `tf.loadGraphModel` or `tf.loadLayersModel` in place of a URL. `source` is anything open() takes (bytes, a Blob,
   * a URL read with Range requests, a path in Node) or an archive already open. From a URL, the first request asks
   * for the file's first 8 MiB rather than 64 KiB, since every weight is read next: a model of a few MB comes in one
   * request, as its own files would (MoveNet on localhost: three requests took ~40 ms and ~50 ms of CPU more), and
   * decodes once it is in; to decode weights while the download goes on (a slow link), open() the URL and pass the
   * archive. Weights arrive as the .tzip stores them: uint8 / uint16 codes and float16 halves with their quantization
   * (TF.js widens them as its own files'), everything else as float32 / int32 / bool values. An archive of another
   * model kind, or of none, is UNSUPPORTED.
   * @example
   * import * as tf from '@tensorflow/tfjs';
   * import { tfjs } from 'tensorzip';
   * const model = await tf.loadGraphModel(tfjs.ioHandler('https://example.com/model.tzip', { onProgress: (done, total) => console.log(done / total) }));
   * const output = model.predict(tf.zeros([1, 224, 224, 3]));
   */
  ioHandler(source: unknown, options?: TfjsHandlerOptions): TfjsIOHandler;
}

export function bindTfjsAdapter(open: (source: unknown, options: TfjsHandlerOptions) => Promise<Archive>): TfjsAdapter {
  return {
    ioHandler: (source, options = {}) => ({
      load: async () => {
        const given = isArchive(source);
        // A URL source counts the bytes it downloads, which pass the file size where a request overlaps the first
        // ones: a progress bar never goes past its end.
        const onProgress = options.onProgress && ((done: number, total: number) => options.onProgress!(Math.min(done, total), total));
        const archive = given ? source : await open(source, { ...options, onProgress, [READS_EVERY_TENSOR]: true } as TfjsHandlerOptions);
        try {
          const kind = archive.model?.kind;
          if (kind === undefined || !TFJS_KINDS.includes(kind)) {
            throw new TensorzipError('UNSUPPORTED', `tfjs.ioHandler: the archive holds ${kind === undefined ? 'no model' : `a model of kind ${describeValue(kind)}`}; TF.js loads ${TFJS_KINDS.join(' and ')}`);
          }
          const { modelJson, weightSpecs, weightData } = await readTfjsArchive(archive, given ? options.onProgress : undefined);
          return tfjsArtifacts(modelJson, weightSpecs, weightData);
        } finally {
          // An archive it opened: the downloaded file is freed before TF.js copies the weights (close()).
          if (!given) archive.close();
        }
      },
    }),
  };
}
