import { runConvert } from '../kernels/convert-kernel.js';
import { runPointwise } from '../kernels/pointwise-kernel.js';
import { type DType, isHalf } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * A dense copy of a tensor (of any layout), optionally converted to another dtype.
 * This is what {@link contiguous}, {@link cast} and `reshape` of a strided view run. Copies from
 * or to f16/bf16 run the 16-bit conversion kernel (narrowing rounds to nearest even, bit for bit
 * as half-float.ts), so a 16-bit view copies to a 16-bit tensor on every adapter.
 */
export function copy(x: Tensor, dtype: DType = x.dtype): Tensor {
  x.assertAlive('copy');
  if (isHalf(x.dtype) || isHalf(dtype)) {
    const buffer = runConvert(
      x.device,
      { buffer: x.buffer, dtype: x.dtype, layout: x.layout },
      dtype,
    );
    return Tensor.fromBuffer(x.device, buffer, x.shape, dtype);
  }
  return runPointwise(
    x.device,
    { name: `copy_${x.dtype}_${dtype}`, expr: 'a', computeType: dtype, outType: dtype },
    [x],
    x.shape,
  );
}

/** A densely packed tensor with the same values: a new view when already dense, else a copy. */
export function contiguous(x: Tensor): Tensor {
  return x.isContiguous ? x.view(x.layout) : copy(x);
}

/**
 * Converts a tensor to `dtype`: a copy (floats to ints truncate toward zero; f32 to f16 or bf16
 * rounds to nearest even), or a new view when the dtype is already right.
 */
export function cast(x: Tensor, dtype: DType): Tensor {
  return dtype === x.dtype ? x.view(x.layout) : copy(x, dtype);
}
