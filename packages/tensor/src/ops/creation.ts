import { currentDevice, type Device } from '../device/device.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from '../kernels/dispatch-size.js';
import { f32Bits } from '../kernels/float-bits.js';
import { type DType, isFloat, isHalf } from '../tensor/dtype.js';
import { type Shape, sizeOf } from '../tensor/shape.js';
import { Tensor, type TensorData } from '../tensor/tensor.js';
import { cast } from './copy.js';

/**
 * Uploads values: `tensor([1, 2, 3, 4], [2, 2])`. f16 and bf16 are uploaded as f32 and narrowed
 * on the GPU (round to nearest even).
 */
export function tensor(data: TensorData, shape?: Shape, dtype?: DType, device?: Device): Tensor {
  const dims = shape ?? [data.length];
  if (dtype === undefined || !isHalf(dtype)) return Tensor.fromArray(data, dims, dtype, device);
  const wide = Tensor.fromArray(Float32Array.from(data), dims, 'f32', device);
  try {
    return cast(wide, dtype);
  } finally {
    wide.dispose();
  }
}

/**
 * Runs a generator kernel: `body` writes `y[i]` for flat index `i` from params `p[1..]`, one
 * element per invocation, with `$T` naming the stored type. 16-bit dtypes are generated in f32
 * and narrowed by `cast` (an invocation cannot store half a word).
 */
function generate(
  name: string,
  shape: Shape,
  dtype: DType,
  params: number[],
  body: string,
  device: Device,
  helpers = '',
): Tensor {
  if (isHalf(dtype)) {
    const wide = generate(name, shape, 'f32', params, body, device, helpers);
    try {
      return cast(wide, dtype);
    } finally {
      wide.dispose();
    }
  }
  const n = sizeOf(shape);
  const out = Tensor.empty(device, shape, dtype);
  if (n === 0) return out;
  device.run({
    name,
    source: `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<${dtype}>;
${helpers}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${flatIndex(64)}
  if (i >= p[0]) { return; }
  ${body.replaceAll('$T', dtype)}
}`,
    params: [n, ...params],
    buffers: [out.buffer],
    workgroups: workgroups1d(n, 64),
  });
  return out;
}

/** Bits of a value in the given dtype, for passing through the u32 params array. */
function bitsOf(value: number, dtype: DType): number {
  if (dtype === 'i32') return value | 0;
  if (dtype === 'u32') return value >>> 0;
  return f32Bits(value);
}

/** A tensor filled with one value. */
export function full(
  shape: Shape,
  value: number,
  dtype: DType = 'f32',
  device: Device = currentDevice(),
): Tensor {
  const load = isFloat(dtype) ? 'bitcast<f32>(p[1])' : 'bitcast<$T>(p[1])';
  return generate(
    `fill_${dtype}`,
    shape,
    dtype,
    [bitsOf(value, dtype) >>> 0],
    `y[i] = ${load};`,
    device,
  );
}

export const zeros = (shape: Shape, dtype: DType = 'f32', device?: Device) =>
  full(shape, 0, dtype, device);
export const ones = (shape: Shape, dtype: DType = 'f32', device?: Device) =>
  full(shape, 1, dtype, device);

/** `start, start + step, …` below `stop` (like `numpy.arange`). */
export function arange(
  start: number,
  stop?: number,
  step = 1,
  dtype: DType = 'f32',
  device: Device = currentDevice(),
): Tensor {
  const [from, to] = stop === undefined ? [0, start] : [start, stop];
  if (step === 0) throw new RangeError('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((to - from) / step));
  const value = isFloat(dtype)
    ? 'bitcast<f32>(p[1]) + f32(i) * bitcast<f32>(p[2])'
    : '$T(bitcast<i32>(p[1]) + i32(i) * bitcast<i32>(p[2]))';
  return generate(
    `arange_${dtype}`,
    [n],
    dtype,
    [bitsOf(from, dtype) >>> 0, bitsOf(step, dtype) >>> 0],
    `y[i] = $T(${value});`,
    device,
  );
}

/**
 * Counter-based random bits: PCG hash of (seed, index), so element i's value depends only on the
 * seed and i — the same on every device and independent of how work is split into invocations.
 */
const RNG = `fn pcg(v: u32) -> u32 {
  let s = v * 747796405u + 2891336453u;
  let w = ((s >> ((s >> 28u) + 4u)) ^ s) * 277803737u;
  return (w >> 22u) ^ w;
}
fn uniform01(seed: u32, stream: u32, i: u32) -> f32 {
  // 24 random bits give every representable f32 step in [0, 1); +0.5 keeps 0 out (log(0) in Box-Muller).
  let bits = pcg(pcg(seed ^ pcg(stream)) ^ i) >> 8u;
  return (f32(bits) + 0.5) / 16777216.0;
}`;

export interface RandomOptions {
  seed: number;
  dtype?: DType;
  device?: Device;
}

/** Uniform values in [low, high), reproducible from the seed. */
export function randUniform(
  shape: Shape,
  low: number,
  high: number,
  { seed, dtype = 'f32', device = currentDevice() }: RandomOptions,
): Tensor {
  return generate(
    'rand_uniform',
    shape,
    dtype,
    [seed >>> 0, f32Bits(low), f32Bits(high)],
    `y[i] = $T(mix(bitcast<f32>(p[2]), bitcast<f32>(p[3]), uniform01(p[1], 0u, i)));`,
    device,
    RNG,
  );
}

/** Normal values with the given mean and standard deviation (Box–Muller), reproducible from the seed. */
export function randNormal(
  shape: Shape,
  mean: number,
  std: number,
  { seed, dtype = 'f32', device = currentDevice() }: RandomOptions,
): Tensor {
  return generate(
    'rand_normal',
    shape,
    dtype,
    [seed >>> 0, f32Bits(mean), f32Bits(std)],
    `let u1 = uniform01(p[1], 1u, i);
  let u2 = uniform01(p[1], 2u, i);
  let z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
  y[i] = $T(bitcast<f32>(p[2]) + bitcast<f32>(p[3]) * z);`,
    device,
    RNG,
  );
}
