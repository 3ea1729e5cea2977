// The graph an archive's model runs in, from its model entry: an ONNX model without tensor data, or a TF.js graph
// model's model.json without its manifest. Other kinds, and archives without a model, have no graph to run.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import type { Archive } from '../format/archive';
import { tfjsModelJsonOf } from '../io/tfjs-archive';
import type { ModelGraph } from './model-runner';

export async function archiveGraph(archive: Archive, what: string): Promise<ModelGraph> {
  const kind = archive.model?.kind;
  if (kind === 'onnx') return { kind: 'onnx', model: await archive.getEntry(archive.model!.entry) };
  if (kind === 'tfjs-graph') return { kind: 'tfjs', modelJson: await tfjsModelJsonOf(archive) };
  throw new TensorzipError('UNSUPPORTED', `${what}: the archive holds ${kind === undefined ? 'no model' : `a model of kind ${describeValue(kind)}`}; outputs are compared for ONNX models and TF.js graph models`);
}
