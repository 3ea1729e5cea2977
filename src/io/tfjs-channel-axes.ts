// tfjs.channelAxes: the channel axis of each weight of a TF.js model, read from its graph with the rules of
// channel-axis-rules.ts — graph models (`modelTopology.node[]`: each op names its weights among its inputs) and
// layers models (Keras layers, whose weights are named `<layer>/<weight>`). A weight the graph does not explain, or
// that two uses give different axes, is left out: pack() then chooses its axis from the data.
import { nullObject } from './untrusted';
import { TensorzipError } from '../errors';
import { KERAS_LAYERS, ruleAxis, TF_OPS, type Attributes, type WeightAxisRule } from './channel-axis-rules';

type Json = Record<string, unknown>;
type Note = (weight: string, axis: number) => void;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const rulesOf = (table: Readonly<Record<string, WeightAxisRule[]>>, key: unknown): WeightAxisRule[] =>
  typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : [];

export function tfjsChannelAxes(modelJson: unknown): Record<string, number> {
  const manifest = isObject(modelJson) ? modelJson.weightsManifest : undefined;
  if (!Array.isArray(manifest)) throw new TensorzipError('CORRUPT', 'tfjs.channelAxes: model.json has no weightsManifest array');
  const ranks = new Map<string, number>();
  for (const group of manifest) {
    for (const spec of isObject(group) && Array.isArray(group.weights) ? group.weights : []) {
      if (isObject(spec) && typeof spec.name === 'string' && Array.isArray(spec.shape)) ranks.set(spec.name, spec.shape.length);
    }
  }
  const found = new Map<string, number | null>(); // null: uses disagree
  const note: Note = (weight, axis) => {
    const rank = ranks.get(weight);
    if (rank === undefined || rank < 2 || axis < -rank || axis >= rank) return;
    const k = axis < 0 ? axis + rank : axis;
    found.set(weight, found.has(weight) && found.get(weight) !== k ? null : k);
  };
  const topology = (modelJson as Json).modelTopology;
  if (isObject(topology) && Array.isArray(topology.node)) graphAxes(topology.node, note);
  else if (isObject(topology)) layerAxes(topology, [...ranks.keys()], note);
  const axes = nullObject<number>();
  for (const [weight, axis] of found) if (axis !== null) axes[weight] = axis;
  return axes;
}

/** Graph models: a weight is a Const node named as in the manifest, reached directly or through Identity nodes. */
function graphAxes(nodes: unknown[], note: Note): void {
  const byName = new Map<string, Json>();
  for (const node of nodes) if (isObject(node) && typeof node.name === 'string') byName.set(node.name, node);
  // An input names a node, or one of its outputs (`name:1`); `^name` is a control edge, no data.
  const source = (input: unknown): string | undefined => {
    if (typeof input !== 'string' || input.startsWith('^')) return undefined;
    let name = input.replace(/:\d+$/, '');
    for (let hops = 0; hops < byName.size; hops++) {
      const node = byName.get(name);
      if (node?.op !== 'Identity' || !Array.isArray(node.input) || typeof node.input[0] !== 'string') break;
      name = node.input[0].replace(/:\d+$/, '');
    }
    return name;
  };
  for (const node of byName.values()) {
    const attrs: Attributes = isObject(node.attr) ? node.attr : {};
    for (const rule of rulesOf(TF_OPS, node.op)) {
      const weight = Array.isArray(node.input) ? source(node.input[rule.weight as number]) : undefined;
      if (weight !== undefined) note(weight, ruleAxis(rule, attrs));
    }
  }
}

/** Layers models: `modelTopology` is a Keras model config (or holds one as `model_config`), whose `layers` may
 *  nest models; a layer's weights are `<layer name>/<weight name>`, under any prefix. */
function layerAxes(topology: Json, weights: string[], note: Note): void {
  const byLayerWeight = new Map<string, string[]>();
  for (const weight of weights) {
    const key = weight.split('/').slice(-2).join('/');
    byLayerWeight.set(key, [...(byLayerWeight.get(key) ?? []), weight]);
  }
  const stack: unknown[] = [topology.model_config ?? topology];
  while (stack.length > 0) {
    const layer = stack.pop();
    if (!isObject(layer)) continue;
    const config = layer.config;
    // Old Sequential configs are the list of layers itself.
    const children = Array.isArray(config) ? config : isObject(config) && Array.isArray(config.layers) ? config.layers : [];
    for (const child of children) stack.push(child);
    const name = isObject(config) ? config.name : undefined;
    if (typeof name !== 'string') continue;
    for (const rule of rulesOf(KERAS_LAYERS, layer.class_name)) {
      for (const weight of byLayerWeight.get(`${name}/${rule.weight as string}`) ?? []) note(weight, ruleAxis(rule, {}));
    }
  }
}
