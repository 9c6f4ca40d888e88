import { bytesPerElement } from '../tensor/dtype.js';
import { f16ToF32 } from '../tensor/half-float.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { copy } from './copy.js';

/** Downloads a tensor's values in row-major order (f16 is returned widened to f32). */
export async function data(x: Tensor): Promise<Float32Array | Int32Array | Uint32Array> {
  x.assertAlive('data');
  // A strided view is packed on the GPU first, so only its own elements cross the bus.
  const dense = x.isContiguous ? x : copy(x);
  try {
    const bytesPer = bytesPerElement(dense.dtype);
    const raw = await x.device.read(dense.buffer, dense.offset * bytesPer, dense.size * bytesPer);
    if (dense.dtype === 'i32') return new Int32Array(raw);
    if (dense.dtype === 'u32') return new Uint32Array(raw);
    if (dense.dtype === 'f16') return f16ToF32(new Uint16Array(raw));
    return new Float32Array(raw);
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
