/**
 * The closeness rule of every numeric test: numpy's `allclose`, element by element, with the
 * expected array as the reference (the rule is not symmetric, as in numpy).
 */

/** Tolerances of {@link allclose} and of `toBeAllclose`. */
export interface AllcloseOptions {
  /** Relative tolerance, scaled by |expected|. Default 1e-5. */
  rtol?: number;
  /**
   * Absolute tolerance. Default 1e-5, not numpy's 1e-8: the tests compare float32 results with
   * references, where 1e-8 is below the rounding of values near 1.
   */
  atol?: number;
  /** Whether NaN matches NaN (numpy's `equal_nan`). Default false: a NaN is a failure. */
  equalNan?: boolean;
}

/** One element that is not close enough. */
export interface AllcloseMismatch {
  index: number;
  /** `undefined` past the end of the shorter array. */
  actual: unknown;
  expected: unknown;
}

/** What {@link allclose} found. */
export interface AllcloseResult {
  pass: boolean;
  /** Why it fails (one line), or what it compared when it passes. */
  message: string;
}

/**
 * Whether `actual` is close to `expected`:
 *   finite expected:   |a − e| ≤ atol + rtol·|e|
 *   ±Infinity:         only the same infinity
 *   NaN (either side): only NaN against NaN, and only with `equalNan`
 * Lengths must match. A failure names the first element that differs (after a length mismatch,
 * possibly the first missing one), with both values and the tolerance there, and the worst one
 * when it is another.
 */
export function allclose(
  actual: unknown,
  expected: ArrayLike<number>,
  { rtol = 1e-5, atol = 1e-5, equalNan = false }: AllcloseOptions = {},
): AllcloseResult {
  const tolerances = `atol ${atol}, rtol ${rtol}${equalNan ? ', NaN equal' : ''}`;
  if (!isArrayLike(actual))
    return { pass: false, message: `expected an array of numbers, got ${describe(actual)}` };
  // Past the end of the shorter array a value is missing: that is the first bad index when
  // the shared part is close.
  const n = Math.max(actual.length, expected.length);
  let first: AllcloseMismatch | undefined;
  let worst: AllcloseMismatch | undefined;
  let worstExcess = -1;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const a = i < actual.length ? actual[i] : undefined;
    const e = i < expected.length ? expected[i] : undefined;
    if (isClose(a, e, rtol, atol, equalNan)) continue;
    count++;
    const mismatch = { index: i, actual: a, expected: e };
    first ??= mismatch;
    // A NaN, an infinity or a missing value is worse than any finite difference.
    const excess =
      typeof a === 'number' && typeof e === 'number'
        ? Math.abs(a - e) - (atol + rtol * Math.abs(e))
        : Number.NaN;
    const rank = Number.isFinite(excess) ? excess : Number.POSITIVE_INFINITY;
    if (rank > worstExcess) {
      worst = mismatch;
      worstExcess = rank;
    }
  }
  if (!first || !worst) return { pass: true, message: `${n} values are close (${tolerances})` };
  const length =
    actual.length === expected.length
      ? `${count} of ${n} values differ`
      : `length ${actual.length}, expected ${expected.length}`;
  const worstPart = worst === first ? '' : `; worst ${element(worst, rtol, atol)}`;
  return {
    pass: false,
    message: `${length} (${tolerances}); first ${element(first, rtol, atol)}${worstPart}`,
  };
}

function isClose(a: unknown, e: unknown, rtol: number, atol: number, equalNan: boolean): boolean {
  if (typeof a !== 'number' || typeof e !== 'number') return false;
  if (Number.isNaN(a) || Number.isNaN(e)) return equalNan && Number.isNaN(a) && Number.isNaN(e);
  // rtol·|±Inf| would be an infinite tolerance: infinities compare exactly, as in numpy.
  if (!Number.isFinite(a) || !Number.isFinite(e)) return a === e;
  return Math.abs(a - e) <= atol + rtol * Math.abs(e);
}

function element({ index, actual, expected }: AllcloseMismatch, rtol: number, atol: number) {
  const values = `at index ${index}: got ${show(actual)}, expected ${show(expected)}`;
  if (typeof actual !== 'number' || typeof expected !== 'number') return values;
  if (!Number.isFinite(actual) || !Number.isFinite(expected)) return values;
  const tolerance = atol + rtol * Math.abs(expected);
  return `${values} (|diff| ${Math.abs(actual - expected)} > ${tolerance})`;
}

function isArrayLike(x: unknown): x is ArrayLike<unknown> {
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return !(x instanceof DataView);
  return false;
}

function describe(x: unknown): string {
  if (x === null || typeof x !== 'object') return String(x);
  return x.constructor?.name ?? 'an object';
}

/** `-0` as "-0" (String() drops the sign); a missing value as "nothing". */
function show(x: unknown): string {
  if (x === undefined) return 'nothing';
  return Object.is(x, -0) ? '-0' : String(x);
}
