/**
 * Byte ranges of a buffer bound on their own. A storage binding may not exceed the adapter's
 * `maxStorageBufferBindingSize` (128 MiB on many GPUs and on lavapipe) while a buffer may be as
 * large as `maxBufferSize` (often 4 GiB): an op that reads part of a larger tensor binds only the
 * range that part occupies.
 */
import { type Layout, layoutExtent } from '../tensor/layout.js';

/**
 * A byte range of a buffer bound as one storage binding. `offset` must be a multiple of the
 * device's `minStorageBufferOffsetAlignment` and `size` a multiple of 4 (WebGPU's rules).
 */
export interface BufferRange {
  readonly buffer: GPUBuffer;
  readonly offset: number;
  readonly size: number;
}

/** What a kernel binds: a whole buffer, or a range of one. */
export type BufferBinding = GPUBuffer | BufferRange;

export function isBufferRange(binding: BufferBinding): binding is BufferRange {
  return 'buffer' in binding;
}

/** The buffer behind a binding. */
export function boundBuffer(binding: BufferBinding): GPUBuffer {
  return isBufferRange(binding) ? binding.buffer : binding;
}

/**
 * The smallest range of `buffer` a kernel can bind to read the view `layout` (elements of
 * `bytesPerElement` bytes, non-negative strides), and the view with its offset made relative to
 * that range. The range starts at the `alignment` boundary at or before the view's first element,
 * so it may begin up to `alignment − bytesPerElement` bytes early: any view can be bound, whatever
 * its offset and row size, at the cost of those few bytes. It ends on a 4-byte boundary, so it is
 * at most `alignment` bytes larger than the view's own span.
 */
export function rangeForView(
  buffer: GPUBuffer,
  layout: Layout,
  bytesPerElement: number,
  alignment: number,
): { range: BufferRange; layout: Layout } {
  const startByte = layout.offset * bytesPerElement;
  const offset = startByte - (startByte % alignment);
  const end = Math.min(buffer.size, Math.ceil((layoutExtent(layout) * bytesPerElement) / 4) * 4);
  return {
    range: { buffer, offset, size: Math.max(4, end - offset) },
    layout: { ...layout, offset: (startByte - offset) / bytesPerElement },
  };
}
