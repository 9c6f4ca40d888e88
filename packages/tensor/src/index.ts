/**
 * @llm-streamline/tensor — a small WebGPU tensor library: devices, strided tensors with free views,
 * generated kernels, scopes and a buffer pool. Runs the same in Node (Dawn) and browsers.
 */

export type {
  AdapterDescription,
  DeviceOptions,
  KernelCall,
  KernelVariant,
} from './device/device.js';
export { currentDevice, Device, getDevice, setCurrentDevice } from './device/device.js';
export type {
  DeviceLimit,
  DeviceLimitFacts,
  TensorDescription,
} from './device/device-limit-error.js';
export { DeviceLimitError, describeDeviceLimitError } from './device/device-limit-error.js';
export { NoAdapterError } from './device/no-adapter-error.js';
export { bitsToF32, f32Bits } from './kernels/float-bits.js';
export type { AttentionOptions } from './ops/attention.js';
export {
  attention,
  attentionGrad,
  attentionMethod,
  attentionWeights,
  attentionWithLogsumexp,
} from './ops/attention.js';
export {
  add,
  BINARY,
  div,
  eq,
  ge,
  gt,
  le,
  logPositive,
  lt,
  maximum,
  minimum,
  mul,
  ne,
  pow,
  sub,
} from './ops/binary.js';
export { cat, stack } from './ops/concat.js';
export { cast, contiguous, copy } from './ops/copy.js';
export type { RandomOptions } from './ops/creation.js';
export { arange, full, ones, randNormal, randUniform, tensor, zeros } from './ops/creation.js';
export type { CrossEntropyOptions } from './ops/cross-entropy.js';
export { crossEntropy } from './ops/cross-entropy.js';
export { bytes, data, item } from './ops/data.js';
export { embedding, embeddingBackward } from './ops/embedding.js';
export type { MatmulOptions } from './ops/matmul.js';
export { matmul } from './ops/matmul.js';
export { oneHot } from './ops/one-hot.js';
export type { Operand, PointwiseSpec } from './ops/pointwise.js';
export { applyPointwise } from './ops/pointwise.js';
export type { Axes, ReduceOptions, VarianceOptions } from './ops/reduce.js';
export { argmax, argmin, max, mean, min, reducedCount, sum, variance } from './ops/reduce.js';
export { reshape } from './ops/reshape.js';
export { rmsNorm } from './ops/rms-norm.js';
export type { Llama3RopeScaling, RopeLayout, RopeOptions } from './ops/rope.js';
export { rope, ropeInvFreq } from './ops/rope.js';
export { logSoftmax, softmax } from './ops/softmax.js';
export { softmaxGrad } from './ops/softmax-grad.js';
export { split } from './ops/split.js';
export {
  abs,
  acos,
  acosGrad,
  exp,
  gelu,
  geluGrad,
  log,
  mulSign,
  neg,
  relu,
  rsqrt,
  sigmoid,
  silu,
  siluGrad,
  sqrt,
  tanh,
  UNARY,
} from './ops/unary.js';
export { isNonzero, isZero, WHERE, where } from './ops/where.js';
export { writeInto } from './ops/write-into.js';
export { seededRandom } from './random/seeded-random.js';
export type { BufferLimits, MemoryStats } from './runtime/buffer-pool.js';
export { bucketSize, EXACT_SIZE_ABOVE } from './runtime/buffer-pool.js';
export type { BufferBinding, BufferRange } from './runtime/buffer-range.js';
export { WgslCompileError } from './runtime/wgsl-errors.js';
export type { ByteEncoding, DType, FloatDType, HalfDType } from './tensor/dtype.js';
export { bytesPerElement, isFloat, isHalf } from './tensor/dtype.js';
export {
  bf16ToF32,
  f16BitsToNumber,
  f16ToF32,
  f32BitsToBf16Bits,
  f32BitsToF16Bits,
  f32ToBf16,
  f32ToF16,
  numberToF16Bits,
} from './tensor/half-float.js';
export type { Layout } from './tensor/layout.js';
export type { Disposable } from './tensor/scope.js';
export { heldTensors, keep, scope } from './tensor/scope.js';
export type { Shape } from './tensor/shape.js';
export { broadcastShapes, contiguousStrides, formatShape, sizeOf } from './tensor/shape.js';
export type { FromBytesOptions, TensorData } from './tensor/tensor.js';
export { Tensor } from './tensor/tensor.js';
