import { bytesPerElement } from '../tensor/dtype.js';
import { bf16ToF32, f16ToF32 } from '../tensor/half-float.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { copy } from './copy.js';

/** Downloads a tensor's values in row-major order (f16 and bf16 come back widened to f32). */
export async function data(x: Tensor): Promise<Float32Array | Int32Array | Uint32Array> {
  x.assertAlive('data');
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
    const bytes = start === aligned ? raw : raw.slice(start - aligned);
    if (dense.dtype === 'i32') return new Int32Array(bytes);
    if (dense.dtype === 'u32') return new Uint32Array(bytes);
    if (dense.dtype === 'f16') return f16ToF32(new Uint16Array(bytes));
    if (dense.dtype === 'bf16') return bf16ToF32(new Uint16Array(bytes));
    return new Float32Array(bytes);
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
