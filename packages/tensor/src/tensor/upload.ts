import type { Device } from '../device/device.js';
import { runConvert } from '../kernels/convert-kernel.js';
import { type ByteEncoding, type DType, isHalf } from './dtype.js';
import { contiguousLayout } from './layout.js';
import type { Shape } from './shape.js';

/**
 * Uploads raw bytes of `encoding` and returns a buffer holding them as `dtype`. The bytes go up
 * as they are (16-bit ones at half the size of f32); when `dtype` differs, the conversion kernel
 * (kernels/convert-kernel.ts) turns them into it on the GPU: widening 16-bit floats to f32 is
 * exact, narrowing f32 or converting between f16 and bf16 rounds to nearest even.
 *
 * Returns a bare buffer, not a Tensor, so that `Tensor.fromBytes` can call it without this file
 * importing the Tensor class back (no import cycle).
 */
export function uploadEncoded(
  device: Device,
  bytes: Uint8Array,
  encoding: ByteEncoding,
  shape: Shape,
  dtype: DType,
): GPUBuffer {
  const raw = device.upload(bytes, { shape, dtype: encoding });
  if (dtype === encoding) return raw;
  if (!isHalf(encoding) && !isHalf(dtype)) {
    device.pool.release(raw);
    throw new TypeError(
      `fromBytes: cannot store ${encoding} bytes as ${dtype}; upload them as ${encoding} and cast`,
    );
  }
  try {
    return runConvert(
      device,
      { buffer: raw, dtype: encoding, layout: contiguousLayout(shape) },
      dtype,
    );
  } finally {
    device.pool.release(raw);
  }
}
