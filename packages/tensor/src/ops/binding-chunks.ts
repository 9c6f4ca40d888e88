/**
 * Splitting a view into row chunks that each fit one storage binding: how matmul and embedding
 * read a tensor whose buffer is over the adapter's `maxStorageBufferBindingSize` without copying
 * it. The buffer stays one buffer; each dispatch binds the byte range of its chunk (see
 * runtime/buffer-range.ts), with the view's offset made relative to the range's start.
 */
import { adapterName, type Device } from '../device/device.js';
import { DeviceLimitError } from '../device/device-limit-error.js';
import { type BufferRange, rangeForView } from '../runtime/buffer-range.js';
import { bytesPerElement } from '../tensor/dtype.js';
import { type Layout, layoutExtent, narrowLayout } from '../tensor/layout.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Whether an op must bind ranges rather than whole buffers: some buffer is over the binding limit.
 * (Its view may still fit one binding, e.g. a narrow() of a large tensor: then there is one chunk.)
 */
export function needsRanges(device: Device, tensors: readonly Tensor[]): boolean {
  const limit = device.bufferLimits.maxStorageBufferBindingSize;
  return tensors.some((t) => t.buffer.size > limit);
}

/** The range of `x`'s buffer that holds the view `layout` of it, and the view relative to it. */
export function bindView(x: Tensor, layout: Layout): { range: BufferRange; layout: Layout } {
  return rangeForView(
    x.buffer,
    layout,
    bytesPerElement(x.dtype),
    x.device.limits.minStorageBufferOffsetAlignment,
  );
}

/**
 * The most indices of `axis` a chunk of the view `layout` of `x` can have so that its bound
 * range fits the binding limit, or a {@link DeviceLimitError} naming `x` and `op` when not even
 * one index fits (one row, for the usual row-major weight).
 *
 * The range of a chunk of r indices spans (r − 1)·stride + span bytes of the view, plus at most
 * `alignment` bytes of slack ({@link rangeForView}). When the chunk is shorter than the axis it is
 * rounded down to a multiple of alignment / gcd(stride bytes, alignment) indices, so that every
 * chunk after an aligned one starts aligned too and binds no slack, and to a multiple of 4, so
 * that the kernels keep their vec4 reads and writes along that dim (where that leaves any).
 */
export function indicesPerBinding(x: Tensor, layout: Layout, axis: number, op: string): number {
  const device = x.device;
  const limit = device.bufferLimits.maxStorageBufferBindingSize;
  const alignment = device.limits.minStorageBufferOffsetAlignment;
  const bpe = bytesPerElement(x.dtype);
  const total = layout.shape[axis] as number;
  const one = narrowLayout(layout, axis, 0, Math.min(1, total));
  const spanBytes = (layoutExtent(one) - one.offset) * bpe;
  const budget = limit - alignment;
  if (spanBytes > budget)
    throw new DeviceLimitError({
      limit: 'maxStorageBufferBindingSize',
      bytes: spanBytes,
      limitBytes: limit,
      tensor: { shape: x.shape, dtype: x.dtype, op },
      adapter: adapterName(device.adapter),
      detail: `${op} binds it in chunks along axis ${axis}, and one index of that axis alone is over the limit`,
    });
  const strideBytes = (layout.strides[axis] as number) * bpe;
  if (strideBytes === 0 || total <= 1) return Math.max(total, 1);
  const fits = Math.floor((budget - spanBytes) / strideBytes) + 1;
  if (fits >= total) return total;
  const aligned = alignment / gcd(strideBytes, alignment);
  const quantum = (aligned * 4) / gcd(aligned, 4);
  return fits >= quantum ? fits - (fits % quantum) : fits;
}

/** `[start, length]` chunks of at most `per` covering [0, total); one empty chunk when total is 0. */
export function chunkRanges(total: number, per: number): Array<[number, number]> {
  if (total === 0) return [[0, 0]];
  const chunks: Array<[number, number]> = [];
  for (let start = 0; start < total; start += per)
    chunks.push([start, Math.min(per, total - start)]);
  return chunks;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
