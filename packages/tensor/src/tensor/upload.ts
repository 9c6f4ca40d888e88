import type { Device } from '../device/device.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from '../kernels/dispatch-size.js';
import type { ByteEncoding } from './dtype.js';
import { type Shape, sizeOf } from './shape.js';
import { Tensor } from './tensor.js';

/**
 * Uploads raw bytes. 16-bit floats are uploaded as they are (half the bytes to move) and widened
 * to f32 by a kernel: f16 with WGSL's `unpack2x16float` (no `shader-f16` needed), bf16 by shifting
 * its 16 bits into the top half of an f32 (bf16 is truncated f32).
 */
export function uploadEncoded(
  device: Device,
  bytes: Uint8Array,
  encoding: ByteEncoding,
  shape: Shape,
): Tensor {
  if (encoding !== 'f16' && encoding !== 'bf16')
    return Tensor.fromBuffer(device, device.upload(bytes), shape, encoding);
  const n = sizeOf(shape);
  const raw = device.upload(bytes);
  const out = Tensor.empty(device, shape);
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
      buffers: [raw, out.buffer],
      workgroups: workgroups1d(n, 64),
    });
  }
  device.pool.release(raw);
  return out;
}
