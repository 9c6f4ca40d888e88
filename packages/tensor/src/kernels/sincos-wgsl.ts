/**
 * Accurate f32 sine and cosine in WGSL. The builtin `sin`/`cos` only promise an absolute error of
 * 2^-11 on [-π, π] (SwiftShader is off by 2e-4, GPUs use similar approximations) and get worse
 * outside, while RoPE needs both to ~1e-7 at angles of 1e5 rad to reproduce reference models.
 *
 * Method (as Cephes' sinf/cosf): reduce by π/2 with Cody–Waite, then minimax polynomials on
 * [-π/4, π/4] and a quadrant swap. π/2 is split into four 7-bit parts and a remainder: each
 * quotient·part product is then exact for quotients below 2^17 (angles below ~2e5 rad), and each
 * subtraction cancels exactly, so the reduced angle carries only the remainder's rounding (~1e-10 rad).
 */

/** `x` truncated to 7 significant bits, so `k · part` is exact in f32 for integers k < 2^17. */
function sevenBits(x: number): number {
  const scale = 2 ** (6 - Math.floor(Math.log2(x)));
  return Math.trunc(x * scale) / scale;
}

function splitHalfPi(): number[] {
  const parts: number[] = [];
  let rest = Math.PI / 2;
  for (let i = 0; i < 4; i++) {
    const part = sevenBits(rest);
    parts.push(part);
    rest -= part; // exact in float64: part is rest's leading bits
  }
  parts.push(Math.fround(rest));
  return parts;
}

const HALF_PI_PARTS = splitHalfPi();

/** WGSL defining `fn sincos_(a: f32) -> vec2<f32>`, returning `(sin(a), cos(a))`. */
export const SINCOS_WGSL = `fn sincos_(a: f32) -> vec2<f32> {
  let k = round(a * ${2 / Math.PI});
  var r = a;
${HALF_PI_PARTS.map((part) => `  r = r - k * (${part});`).join('\n')}
  let z = r * r;
  // Cephes sinf / cosf polynomials, accurate to ~1 ulp on [-pi/4, pi/4].
  let s = ((-1.9515295891e-4 * z + 8.3321608736e-3) * z - 1.6666654611e-1) * z * r + r;
  let c = ((2.443315711809948e-5 * z - 1.388731625493765e-3) * z + 4.166664568298827e-2) * z * z - 0.5 * z + 1.0;
  // a = k·π/2 + r: rotate (sin r, cos r) by the quadrant k mod 4.
  switch (i32(k) & 3) {
    case 0: { return vec2<f32>(s, c); }
    case 1: { return vec2<f32>(c, -s); }
    case 2: { return vec2<f32>(-s, -c); }
    default: { return vec2<f32>(-c, s); }
  }
}`;
