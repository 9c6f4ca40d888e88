/**
 * The dtype conversions that involve a 16-bit storage dtype (f16, bf16), both ways: what `cast`,
 * `contiguous` of a 16-bit view and `Tensor.fromBytes` run. Conversions between f32 and the
 * integer dtypes are pointwise kernels (see ops/copy.ts).
 *
 * The source is read through its layout, so any view converts without a copy first. A 16-bit
 * output is written a word (two elements) per invocation, since WGSL cannot store half a word
 * without racing the neighbour that shares it.
 *
 * Works on bare buffers, not Tensors, so that tensor/upload.ts can use it without importing the
 * Tensor class back.
 */
import type { Device } from '../device/device.js';
import { bytesPerElement, type DType, isHalf } from '../tensor/dtype.js';
import type { Layout } from '../tensor/layout.js';
import { sizeOf } from '../tensor/shape.js';
import { coalesceDims } from './coalesce.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from './dispatch-size.js';
import { elementRead, readPrelude } from './element-read.js';
import { narrowToHalf } from './half-narrow-wgsl.js';

const WG = 64;

/** A buffer read as a tensor of `dtype` through `layout`. */
export interface BufferView {
  buffer: GPUBuffer;
  dtype: DType;
  layout: Layout;
}

/**
 * A fresh pooled buffer holding `source` converted to `dtype`, densely packed in row-major order.
 * One of the two dtypes must be f16 or bf16. Narrowing rounds to nearest even, bit for bit as
 * half-float.ts; widening is exact; floats to integers truncate toward zero.
 */
export function runConvert(device: Device, source: BufferView, dtype: DType): GPUBuffer {
  const from = source.dtype;
  if (!isHalf(from) && !isHalf(dtype))
    throw new Error(`runConvert: ${from} → ${dtype} is a pointwise copy, not a 16-bit conversion`);
  const { shape } = source.layout;
  const n = sizeOf(shape);
  // At least 4 bytes, as WebGPU bindings require (the same rule as Tensor.empty).
  const out = device.pool.acquire(Math.max(4, n * bytesPerElement(dtype)), undefined, {
    shape,
    dtype,
    op: `cast_${from}_${dtype}`,
  });
  if (n === 0) return out;
  const merged = coalesceDims(shape, [source.layout.strides]);
  const perInvocation = isHalf(dtype) ? 2 : 1;
  device.run({
    name: `cast_${from}_${dtype}`,
    source: convertSource(from, dtype, merged.shape.length, device.nativeF16),
    params: [n, source.layout.offset, ...merged.shape, ...(merged.strides[0] as number[])],
    buffers: [source.buffer, out],
    workgroups: workgroups1d(Math.ceil(n / perInvocation), WG),
  });
  return out;
}

function convertSource(from: DType, to: DType, rank: number, nativeF16: boolean): string {
  const x = elementRead('x', 1, from, { vec4: false, nativeF16 });
  const narrow = isHalf(to) ? narrowToHalf(to) : undefined;
  // Param words: [n, offset, shape[rank], strides[rank]].
  const indexOf = `fn source_index(j: u32) -> u32 {
  var rem = j;
  var o = p[1];
  for (var k = ${rank}u; k > 0u; k--) {
    let d = k - 1u;
    let size = p[2u + d];
    o += (rem % size) * p[${2 + rank}u + d];
    rem = rem / size;
  }
  return o;
}
fn value(j: u32) -> f32 { return ${x.scalar('source_index(j)')}; }`;
  const body = narrow
    ? `if (2u * i >= p[0]) { return; }
  let lo = ${narrow.call('value(2u * i)')};
  var hi = 0u;
  if (2u * i + 1u < p[0]) { hi = ${narrow.call('value(2u * i + 1u)')}; }
  y[i] = lo | (hi << 16u);`
    : `if (i >= p[0]) { return; }
  y[i] = ${to}(value(i));`;
  return `${readPrelude([x])}
@group(0) @binding(0) var<storage, read> p: array<u32>;
${x.declaration}
@group(0) @binding(2) var<storage, read_write> y: array<${narrow ? 'u32' : to}>;
${narrow?.helper ?? ''}
${indexOf}
@compute @workgroup_size(${WG})
fn main(${MAIN_ARGS}) {
  ${flatIndex(WG)}
  ${body}
}
`;
}
