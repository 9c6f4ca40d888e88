import { bytesPerElement } from '../tensor/dtype.js';
import { bf16ToF32, f16ToF32 } from '../tensor/half-float.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { copy } from './copy.js';

/** Downloads a tensor's values in row-major order (f16 and bf16 come back widened to f32). */
export async function data(x: Tensor): Promise<Float32Array | Int32Array | Uint32Array> {
  const raw = await storedBytes(x, 'data');
  const buffer = raw.buffer as ArrayBuffer;
  if (x.dtype === 'i32') return new Int32Array(buffer);
  if (x.dtype === 'u32') return new Uint32Array(buffer);
  if (x.dtype === 'f16') return f16ToF32(new Uint16Array(buffer));
  if (x.dtype === 'bf16') return bf16ToF32(new Uint16Array(buffer));
  return new Float32Array(buffer);
}

/**
 * Downloads a tensor's elements in row-major order as stored, in its own dtype: 16-bit tensors
 * come back as their 2-byte patterns, unconverted. What writing a checkpoint in the dtype a
 * weight is held in needs (no f32 copy of the largest tensor on the way).
 */
export function bytes(x: Tensor): Promise<Uint8Array> {
  return storedBytes(x, 'bytes');
}

/** The download behind {@link data} and {@link bytes}; `op` names the caller in errors. */
async function storedBytes(x: Tensor, op: string): Promise<Uint8Array> {
  x.assertAlive(op);
  // A strided view is packed on the GPU first, so only its own elements cross the bus.
  const dense = x.isContiguous ? x : copy(x);
  try {
    const bytesPer = bytesPerElement(dense.dtype);
    // Buffer copies start at a multiple of 4 bytes: a 16-bit view at an odd offset reads from the
    // word before and drops its first half.
    const start = dense.offset * bytesPer;
    const aligned = start - (start % 4);
    const length = dense.size * bytesPer;
    const raw = await x.device.read(dense.buffer, aligned, length + start - aligned);
    return new Uint8Array(start === aligned ? raw : raw.slice(start - aligned));
  } finally {
    if (dense !== x) dense.dispose();
  }
}

/** Downloads a one-element tensor's value. */
export async function item(x: Tensor): Promise<number> {
  if (x.size !== 1)
    throw new RangeError(
      `item: tensor of shape ${formatShape(x.shape)} has ${x.size} elements, expected 1`,
    );
  return (await data(x))[0] as number;
}
