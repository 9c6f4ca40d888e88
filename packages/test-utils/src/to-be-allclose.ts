/**
 * `expect(actual).toBeAllclose(expected, { rtol, atol, equalNan })`: the one closeness assertion
 * of every package's tests (as jax-js has). `expect(actual, 'label')` prefixes the failure with
 * the label. Registered for every package project by setup.ts.
 */
import type { MatcherState } from 'vitest';
import { type AllcloseOptions, allclose } from './allclose.js';

export type { AllcloseOptions } from './allclose.js';

interface AllcloseMatchers<R = unknown> {
  /**
   * Asserts numpy's `allclose(actual, expected, rtol, atol, equal_nan)` element-wise: equal
   * lengths and |a − e| ≤ atol + rtol·|e| (defaults 1e-5 each); ±Inf only equals the same
   * infinity; NaN equals NaN only with `equalNan`. See allclose.ts.
   */
  toBeAllclose(expected: ArrayLike<number>, options?: AllcloseOptions): R;
}

declare module 'vitest' {
  interface Assertion<T> extends AllcloseMatchers<T> {}
  interface AsymmetricMatchersContaining extends AllcloseMatchers {}
}

/** The matcher, for `expect.extend({ toBeAllclose })`. */
export function toBeAllclose(
  this: MatcherState,
  actual: unknown,
  expected: ArrayLike<number>,
  options?: AllcloseOptions,
) {
  const { pass, message } = allclose(actual, expected, options);
  return {
    pass,
    message: () =>
      this.isNot ? `expected values not to be allclose: ${message}` : `not allclose: ${message}`,
  };
}
