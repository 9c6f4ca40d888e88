/**
 * Conversions on the CPU between float32 and the 16-bit float formats used by
 * checkpoints (IEEE binary16 "f16" and bfloat16 "bf16"), operating on raw bit
 * patterns in Uint16Arrays. Rounding is round-to-nearest-even, which is what
 * PyTorch and numpy do, so converted files match theirs bit for bit.
 *
 * The one place for these conversions: tensor downloads of f16 (`data`) and the
 * llm package's checkpoint reading and writing all use them.
 */
import { f32Bits } from '../kernels/float-bits.js';

/** Decodes one binary16 bit pattern to a number (exact). */
export function f16BitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24; // zero / subnormal
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/**
 * Encodes a float32 bit pattern as binary16, rounding to nearest even.
 * Overflow gives ±inf; NaN stays NaN (quiet, payload top bits kept).
 */
export function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;

  if (exponent === 0xff) {
    // Inf or NaN. Keep NaN a NaN even if its payload's top bits are zero.
    return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0);
  }
  // Unbiased exponent, rebiased for f16.
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow → inf
  if (e <= 0) {
    // Result is subnormal (or rounds to zero / smallest normal).
    if (e < -10) return sign; // below half the smallest subnormal → ±0
    const full = mantissa | 0x800000; // implicit leading 1
    const shift = 14 - e; // bits to drop
    const halfway = 1 << (shift - 1);
    const remainder = full & ((1 << shift) - 1);
    let result = full >>> shift;
    if (remainder > halfway || (remainder === halfway && result & 1)) result += 1;
    return sign | result; // a carry into bit 10 correctly yields the smallest normal
  }
  // Normal: drop 13 mantissa bits with round-to-nearest-even.
  let result = (e << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && result & 1)) result += 1; // carry may roll into exponent (→ inf): correct
  return sign | result;
}

/** Encodes a number as binary16 bits (via float32, as PyTorch does for f32 tensors). */
export function numberToF16Bits(value: number): number {
  return f32BitsToF16Bits(f32Bits(value));
}

/** Encodes a float32 bit pattern as bfloat16, rounding to nearest even. */
export function f32BitsToBf16Bits(x: number): number {
  if ((x & 0x7f800000) === 0x7f800000 && x & 0x7fffff) {
    // NaN: truncating could clear all payload bits and make it inf; force quiet bit.
    return ((x >>> 16) | 0x40) & 0xffff;
  }
  const roundingBias = 0x7fff + ((x >>> 16) & 1);
  return ((x + roundingBias) >>> 16) & 0xffff;
}

/** Converts binary16 bit patterns to float32 values. */
export function f16ToF32(
  src: Uint16Array,
  dst: Float32Array = new Float32Array(src.length),
): Float32Array {
  const lut = getF16Table();
  for (let i = 0; i < src.length; i++) dst[i] = lut[src[i] as number] as number;
  return dst;
}

/** Converts bfloat16 bit patterns to float32 values (exact: bf16 is the top half of f32). */
export function bf16ToF32(
  src: Uint16Array,
  dst: Float32Array = new Float32Array(src.length),
): Float32Array {
  const out = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < src.length; i++) out[i] = (src[i] as number) << 16;
  return dst;
}

/** Converts float32 values to binary16 bit patterns (round to nearest even). */
export function f32ToF16(
  src: Float32Array,
  dst: Uint16Array = new Uint16Array(src.length),
): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) dst[i] = f32BitsToF16Bits(bits[i] as number);
  return dst;
}

/** Converts float32 values to bfloat16 bit patterns (round to nearest even). */
export function f32ToBf16(
  src: Float32Array,
  dst: Uint16Array = new Uint16Array(src.length),
): Uint16Array {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < src.length; i++) dst[i] = f32BitsToBf16Bits(bits[i] as number);
  return dst;
}

// All 65536 f16 values decoded once (256 KiB); decoding is then one lookup.
let f16Table: Float32Array | undefined;
function getF16Table(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = f16BitsToNumber(h);
  }
  return f16Table;
}
