// onnx.channelAxes: the channel axis of each tensor of an ONNX model, read from the operators that use it with the
// rules of channel-axis-rules.ts. A tensor no rule explains, or that two uses give different axes, is left out.
import { nullObject } from './untrusted';
import { ONNX_OPS, ruleAxis } from './channel-axis-rules';
import { resolveValue, walkModel, type NodeSite } from './onnx-walk';

export function onnxChannelAxes(model: Uint8Array): Record<string, number> {
  const ranks = new Map<string, number>();
  const nodes: NodeSite[] = [];
  walkModel(model, {
    tensor({ name, tensor }) {
      ranks.set(name, tensor.dims.length);
      return undefined;
    },
    node(site) {
      nodes.push(site);
    },
  }, 'onnx.channelAxes');
  const found = new Map<string, number | null>(); // null: uses disagree
  for (const node of nodes) {
    if (node.domain !== '' && node.domain !== 'ai.onnx') continue;
    for (const rule of Object.hasOwn(ONNX_OPS, node.opType) ? ONNX_OPS[node.opType] : []) {
      const input = node.inputs[rule.weight as number];
      const tensor = input === undefined ? undefined : resolveValue(node.scope, input);
      const rank = tensor === undefined ? undefined : ranks.get(tensor);
      if (tensor === undefined || rank === undefined || rank < 2) continue;
      const axis = ruleAxis(rule, node.ints);
      if (!Number.isInteger(axis) || axis < -rank || axis >= rank) continue;
      const k = axis < 0 ? axis + rank : axis;
      found.set(tensor, found.has(tensor) && found.get(tensor) !== k ? null : k);
    }
  }
  const axes = nullObject<number>();
  for (const [tensor, axis] of found) if (axis !== null) axes[tensor] = axis;
  return axes;
}
