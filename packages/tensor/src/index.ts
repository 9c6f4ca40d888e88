/**
 * @llm-streamline/tensor — a small WebGPU tensor library: devices, strided tensors with free views,
 * generated kernels, scopes and a buffer pool. Runs the same in Node (Dawn) and browsers.
 */
export { Device, getDevice, currentDevice, setCurrentDevice } from './device/device.js';
export type { AdapterDescription, DeviceOptions, KernelCall, KernelVariant } from './device/device.js';
export { NoAdapterError } from './device/no-adapter-error.js';
export type { MemoryStats } from './runtime/buffer-pool.js';
export { WgslCompileError } from './runtime/wgsl-errors.js';

export { Tensor } from './tensor/tensor.js';
export type { TensorData } from './tensor/tensor.js';
export type { DType, ByteEncoding } from './tensor/dtype.js';
export { bytesPerElement } from './tensor/dtype.js';
export type { Layout } from './tensor/layout.js';
export type { Shape } from './tensor/shape.js';
export { broadcastShapes, contiguousStrides, formatShape, sizeOf } from './tensor/shape.js';
export { scope, keep, heldTensors } from './tensor/scope.js';
export type { Disposable } from './tensor/scope.js';

export { applyPointwise } from './ops/pointwise.js';
export type { Operand, PointwiseGrad, PointwiseSpec } from './ops/pointwise.js';
export { UNARY, neg, abs, exp, log, sqrt, rsqrt, tanh, sigmoid, silu, gelu, relu, acos } from './ops/unary.js';
export { BINARY, add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge } from './ops/binary.js';
export { WHERE, where } from './ops/where.js';
export { copy, cast } from './ops/copy.js';
export { sum, mean, max, min, argmax, argmin, variance, reducedCount } from './ops/reduce.js';
export type { Axes, ReduceOptions, VarianceOptions } from './ops/reduce.js';
export { tensor, full, zeros, ones, arange, randUniform, randNormal } from './ops/creation.js';
export type { RandomOptions } from './ops/creation.js';
export { writeInto } from './ops/write-into.js';
export { matmul } from './ops/matmul.js';
export type { MatmulOptions } from './ops/matmul.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { rmsNorm } from './ops/rms-norm.js';
export { rope, ropeInvFreq } from './ops/rope.js';
export type { RopeLayout, RopeOptions, Llama3RopeScaling } from './ops/rope.js';
export { embedding, embeddingBackward } from './ops/embedding.js';
export { attention, attentionWeights } from './ops/attention.js';
export type { AttentionOptions } from './ops/attention.js';
export { crossEntropy } from './ops/cross-entropy.js';
export type { CrossEntropyOptions } from './ops/cross-entropy.js';
export { oneHot } from './ops/one-hot.js';
export { cat, stack } from './ops/concat.js';
export { split } from './ops/split.js';
