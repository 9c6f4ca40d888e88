/**
 * RoPE's naive twin, shared by the tests of the tensor kernel and of its autograd gradient, so
 * both check against the same definition.
 */

/**
 * RoPE of x [..., T, Dh] as Hugging Face computes it: angle = f32(pos · invFreq[k]) (a float32
 * product) with pos = offset + t, then each pair (x1, x2) becomes (x1·cos − x2·sin,
 * x2·cos + x1·sin). Pairs are (k, k + Dh/2) in the `half` layout, (2k, 2k + 1) in `interleaved`;
 * `sign` −1 rotates backwards.
 */
export function naiveRope(
  x: ArrayLike<number>,
  shape: readonly number[],
  invFreq: ArrayLike<number>,
  layout: 'half' | 'interleaved',
  offset: number,
  sign = 1,
): Float64Array {
  const dh = shape[shape.length - 1] as number;
  const t = shape[shape.length - 2] as number;
  const half = dh / 2;
  const out = new Float64Array(x.length);
  for (let row = 0; row < x.length / dh; row++) {
    const pos = offset + (row % t);
    for (let k = 0; k < half; k++) {
      const angle = Math.fround(pos * (invFreq[k] as number));
      const c = Math.cos(angle);
      const s = sign * Math.sin(angle);
      const [i1, i2] = layout === 'half' ? [k, k + half] : [2 * k, 2 * k + 1];
      const x1 = x[row * dh + i1] as number;
      const x2 = x[row * dh + i2] as number;
      out[row * dh + i1] = x1 * c - x2 * s;
      out[row * dh + i2] = x2 * c + x1 * s;
    }
  }
  return out;
}
