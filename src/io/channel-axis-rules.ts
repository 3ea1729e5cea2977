// Where each operator of a model graph keeps the output channels of its weights: one table for every graph format
// tensorzip reads (TensorFlow graph ops as TF.js graph models store them, Keras layers as TF.js layers models store
// them, ONNX operators). Axes may count from the end, so one rule serves 1-D, 2-D and 3-D convolutions.

/** A node's attributes, as the format stores them (TF: `{ transpose_b: { b: true } }`, ONNX: `{ transB: 1 }`). */
export type Attributes = Record<string, unknown>;

export interface WeightAxisRule {
  /** Which input holds the weight: its index among a graph node's inputs, or a layer's weight name. */
  weight: number | string;
  /** Its channel axis, fixed or read from the node's attributes. */
  axis: number | ((attrs: Attributes) => number);
}

/** A TF boolean attribute (`{ b: true }`). */
const flag = (attrs: Attributes, name: string): boolean => (attrs[name] as { b?: unknown } | undefined)?.b === true;

const HWIO: WeightAxisRule[] = [{ weight: 1, axis: -1 }];
const HWCM: WeightAxisRule[] = [{ weight: 1, axis: -2 }];
const MATMUL: WeightAxisRule[] = [
  { weight: 0, axis: (a) => (flag(a, 'transpose_a') ? 1 : 0) },
  { weight: 1, axis: (a) => (flag(a, 'transpose_b') ? 0 : 1) },
];
const BATCH_MATMUL: WeightAxisRule[] = [
  { weight: 0, axis: (a) => (flag(a, 'adj_x') ? -1 : -2) },
  { weight: 1, axis: (a) => (flag(a, 'adj_y') ? -2 : -1) },
];

/** TensorFlow ops in a TF.js graph model (`modelTopology.node[].op`), by the index of the weight among inputs. */
export const TF_OPS: Readonly<Record<string, WeightAxisRule[]>> = Object.assign(Object.create(null), {
  Conv2D: HWIO, _FusedConv2D: HWIO, FusedConv2D: HWIO, Conv3D: HWIO,
  DepthwiseConv2dNative: HWCM, DepthwiseConv2D: HWCM, FusedDepthwiseConv2dNative: HWCM, _FusedDepthwiseConv2dNative: HWCM,
  // (input_sizes, filter [h, w, out, in], out_backprop)
  Conv2DBackpropInput: [{ weight: 1, axis: -2 }], Conv3DBackpropInputV2: [{ weight: 1, axis: -2 }],
  MatMul: MATMUL, _FusedMatMul: MATMUL, FusedMatMul: MATMUL,
  BatchMatMul: BATCH_MATMUL, BatchMatMulV2: BATCH_MATMUL, BatchMatMulV3: BATCH_MATMUL,
});

const KERNEL_LAST: WeightAxisRule[] = [{ weight: 'kernel', axis: -1 }];
const RECURRENT: WeightAxisRule[] = [{ weight: 'kernel', axis: -1 }, { weight: 'recurrent_kernel', axis: -1 }];
const SEPARABLE: WeightAxisRule[] = [{ weight: 'depthwise_kernel', axis: -2 }, { weight: 'pointwise_kernel', axis: -1 }];

/** Keras layers in a TF.js layers model (`class_name`), by the name of the weight (`<layer name>/<weight name>`). */
export const KERAS_LAYERS: Readonly<Record<string, WeightAxisRule[]>> = Object.assign(Object.create(null), {
  Dense: KERNEL_LAST, Conv1D: KERNEL_LAST, Conv2D: KERNEL_LAST, Conv3D: KERNEL_LAST,
  // kernel [.., out, in]
  Conv2DTranspose: [{ weight: 'kernel', axis: -2 }], Conv3DTranspose: [{ weight: 'kernel', axis: -2 }],
  DepthwiseConv2D: [{ weight: 'depthwise_kernel', axis: -2 }],
  SeparableConv1D: SEPARABLE, SeparableConv2D: SEPARABLE,
  LSTM: RECURRENT, GRU: RECURRENT, SimpleRNN: RECURRENT,
});

/** An ONNX integer attribute, or its default. */
const int = (attrs: Attributes, name: string, fallback: number): number => (typeof attrs[name] === 'number' ? (attrs[name] as number) : fallback);

// LSTM, GRU, RNN: W [directions, gates × hidden, input] and R [directions, gates × hidden, hidden]: one scale per
// row of each gate.
const ONNX_RECURRENT: WeightAxisRule[] = [{ weight: 1, axis: 1 }, { weight: 2, axis: 1 }];

/** ONNX operators (default domain), by the index of the weight among a node's inputs. */
export const ONNX_OPS: Readonly<Record<string, WeightAxisRule[]>> = Object.assign(Object.create(null), {
  // W [out, in / group, k…]
  Conv: [{ weight: 1, axis: 0 }],
  // W [in, out / group, k…]
  ConvTranspose: [{ weight: 1, axis: 1 }],
  // A [.., M, K] × B [.., K, N]
  MatMul: [{ weight: 0, axis: -2 }, { weight: 1, axis: -1 }],
  // A [M, K] (transA: [K, M]) × B [K, N] (transB: [N, K])
  Gemm: [{ weight: 0, axis: (a: Attributes) => (int(a, 'transA', 0) !== 0 ? 1 : 0) }, { weight: 1, axis: (a: Attributes) => (int(a, 'transB', 0) !== 0 ? 0 : 1) }],
  // A table: one scale per slice it gathers (rows of an embedding).
  Gather: [{ weight: 0, axis: (a: Attributes) => int(a, 'axis', 0) }],
  LSTM: ONNX_RECURRENT, GRU: ONNX_RECURRENT, RNN: ONNX_RECURRENT,
});

/** The rule's axis for a node with these attributes. */
export const ruleAxis = (rule: WeightAxisRule, attrs: Attributes): number => (typeof rule.axis === 'number' ? rule.axis : rule.axis(attrs));
