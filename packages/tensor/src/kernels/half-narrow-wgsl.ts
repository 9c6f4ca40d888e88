/**
 * f32 → f16 / bf16 rounding in WGSL, on bit patterns, bit for bit as `f32BitsToF16Bits` and
 * `f32BitsToBf16Bits` in half-float.ts do it on the CPU (round to nearest even; overflow to ±inf;
 * NaN stays a quiet NaN). WGSL's `pack2x16float` leaves rounding and overflow to the
 * implementation, so it cannot promise files that match PyTorch's.
 */
import type { HalfDType } from '../tensor/dtype.js';

const F32_TO_F16_BITS = `fn f32_to_f16_bits(x: u32) -> u32 {
  let sign = (x >> 16u) & 0x8000u;
  let exponent = (x >> 23u) & 0xffu;
  let mantissa = x & 0x7fffffu;
  if (exponent == 0xffu) {
    return sign | 0x7c00u | select(0u, 0x200u | (mantissa >> 13u), mantissa != 0u);
  }
  let e = i32(exponent) - 112; // rebiased for f16: - 127 + 15
  if (e >= 31) { return sign | 0x7c00u; }
  if (e <= 0) {
    if (e < -10) { return sign; }
    let full = mantissa | 0x800000u;
    let shift = u32(14 - e);
    let halfway = 1u << (shift - 1u);
    let remainder = full & ((1u << shift) - 1u);
    var sub = full >> shift;
    if (remainder > halfway || (remainder == halfway && (sub & 1u) != 0u)) { sub += 1u; }
    return sign | sub;
  }
  var result = (u32(e) << 10u) | (mantissa >> 13u);
  let remainder = mantissa & 0x1fffu;
  if (remainder > 0x1000u || (remainder == 0x1000u && (result & 1u) != 0u)) { result += 1u; }
  return sign | result;
}`;

const F32_TO_BF16_BITS = `fn f32_to_bf16_bits(x: u32) -> u32 {
  if ((x & 0x7f800000u) == 0x7f800000u && (x & 0x7fffffu) != 0u) {
    return ((x >> 16u) | 0x40u) & 0xffffu;
  }
  return ((x + 0x7fffu + ((x >> 16u) & 1u)) >> 16u) & 0xffffu;
}`;

/**
 * The WGSL function that rounds f32 bits to `dtype`'s 16 bits, and a call of it on the f32 value
 * `expr` (the result is a u32 holding the 16 bits in its low half).
 */
export function narrowToHalf(dtype: HalfDType): { helper: string; call: (expr: string) => string } {
  const name = dtype === 'f16' ? 'f32_to_f16_bits' : 'f32_to_bf16_bits';
  return {
    helper: dtype === 'f16' ? F32_TO_F16_BITS : F32_TO_BF16_BITS,
    call: (expr) => `${name}(bitcast<u32>(${expr}))`,
  };
}
