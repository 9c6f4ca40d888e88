import type { Device } from '../device/device.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from '../kernels/dispatch-size.js';
import type { ByteEncoding, DType } from './dtype.js';
import { type Shape, sizeOf } from './shape.js';

/**
 * Uploads raw bytes and returns the buffer with the dtype it holds. 16-bit floats are uploaded as
 * they are (half the bytes to move) and widened to f32 by a kernel: f16 with WGSL's
 * `unpack2x16float` (no `shader-f16` needed), bf16 by shifting its 16 bits into the top half of an
 * f32 (bf16 is truncated f32).
 *
 * Returns a bare buffer, not a Tensor, so that `Tensor.fromBytes` can call it without this file
 * importing the Tensor class back (no import cycle).
 */
export function uploadEncoded(
  device: Device,
  bytes: Uint8Array,
  encoding: ByteEncoding,
  shape: Shape,
): { buffer: GPUBuffer; dtype: DType } {
  if (encoding !== 'f16' && encoding !== 'bf16')
    return { buffer: device.upload(bytes, { shape, dtype: encoding }), dtype: encoding };
  const n = sizeOf(shape);
  const raw = device.upload(bytes, { shape, dtype: encoding });
  // At least 4 bytes, as WebGPU bindings require (the same rule as Tensor.empty).
  const out = device.pool.acquire(Math.max(4, n * 4), undefined, {
    shape,
    dtype: 'f32',
    op: `widen_${encoding}`,
  });
  if (n > 0) {
    const widen = encoding === 'f16' ? 'unpack2x16float(half).x' : 'bitcast<f32>(half << 16u)';
    device.run({
      name: `widen_${encoding}`,
      source: `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${flatIndex(64)}
  if (i >= p[0]) { return; }
  let half = (x[i / 2u] >> (16u * (i % 2u))) & 0xffffu;
  y[i] = ${widen};
}`,
      params: [n],
      buffers: [raw, out],
      workgroups: workgroups1d(n, 64),
    });
  }
  device.pool.release(raw);
  return { buffer: out, dtype: 'f32' };
}
