/** The bits of `x` rounded to f32, for passing floats through a kernel's u32 `params` (read back with `bitcast<f32>`). */
export function f32Bits(x: number): number {
  F32[0] = x;
  return U32[0] as number;
}

/** The f32 value of a bit pattern (the inverse of {@link f32Bits}). */
export function bitsToF32(bits: number): number {
  U32[0] = bits >>> 0;
  return F32[0] as number;
}

// Scratch views to reinterpret float32 <-> uint32 without allocation.
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** WGSL literal for the lowest finite f32: the start of a running max (WGSL has no −∞ literal). */
export const LOWEST_F32 = '-3.4028234e38';
