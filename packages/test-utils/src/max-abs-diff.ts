/**
 * The largest element-wise difference of two arrays: for tests that report or bound a distance
 * (`expect(maxAbsDiff(a, b)).toBe(0)`, a loss of precision) rather than assert closeness, which
 * is `toBeAllclose`.
 */

/** max |a[i] − b[i]|; NaN when any difference is NaN; throws on a length mismatch. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`maxAbsDiff: length ${a.length} ≠ ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    // Math.max would also give NaN, but stopping says so at once.
    if (Number.isNaN(d)) return Number.NaN;
    if (d > worst) worst = d;
  }
  return worst;
}
