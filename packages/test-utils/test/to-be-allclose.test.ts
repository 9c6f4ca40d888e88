/**
 * The closeness matcher itself: it must fail where it should, with a message that names the first
 * bad element, or every numeric test in the repository could pass by accident.
 */
import { describe, expect, it } from 'vitest';
import { allclose } from '../src/allclose.js';

/** The failure message of `run`, which must throw. */
function failure(run: () => void): string {
  try {
    run();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the assertion to fail');
}

describe('toBeAllclose', () => {
  it('accepts values within atol + rtol·|expected|, arrays and typed arrays alike', () => {
    expect([1, 2, 3]).toBeAllclose([1, 2, 3]);
    expect(new Float32Array([1.000001, -2])).toBeAllclose(new Float64Array([1, -2]));
    // |100.5 − 100| = 0.5 ≤ 0.1 + 0.01·100
    expect([100.5]).toBeAllclose([100], { atol: 0.1, rtol: 0.01 });
    expect([0, -0]).toBeAllclose([-0, 0], { atol: 0, rtol: 0 });
    expect([]).toBeAllclose([]);
  });

  it('rejects a value just outside the tolerance, naming index and values', () => {
    // 1.2 − 1 = 0.2 > 0.1 + 0.05·1
    const message = failure(() => expect([0, 1.2]).toBeAllclose([0, 1], { atol: 0.1, rtol: 0.05 }));
    expect(message).toMatch(/1 of 2 values differ \(atol 0.1, rtol 0.05\)/);
    expect(message).toMatch(/first at index 1: got 1.2, expected 1/);
    expect(() => expect([1.2]).toBeAllclose([1], { atol: 0.1, rtol: 0.1 })).not.toThrow();
  });

  it('measures rtol against the expected value, as numpy does', () => {
    // |2 − 1| = 1 ≤ 0.5·2 but > 0.5·1
    expect([1]).toBeAllclose([2], { atol: 0, rtol: 0.5 });
    expect(() => expect([2]).toBeAllclose([1], { atol: 0, rtol: 0.5 })).toThrow(/index 0/);
  });

  it('names the first and the worst element when they differ', () => {
    const message = failure(() => expect([0, 1, 5, 2]).toBeAllclose([0, 0, 0, 0], { atol: 0.5 }));
    expect(message).toMatch(/3 of 4 values differ/);
    expect(message).toMatch(/first at index 1: got 1, expected 0/);
    expect(message).toMatch(/worst at index 2: got 5, expected 0/);
  });

  it('rejects NaN against a number, either way round', () => {
    expect(() => expect([Number.NaN]).toBeAllclose([1])).toThrow(/index 0: got NaN, expected 1/);
    expect(() => expect([1]).toBeAllclose([Number.NaN])).toThrow(/index 0: got 1, expected NaN/);
  });

  it('matches NaN with NaN only when asked', () => {
    expect(() => expect([Number.NaN]).toBeAllclose([Number.NaN])).toThrow(/got NaN, expected NaN/);
    expect([1, Number.NaN]).toBeAllclose([1, Number.NaN], { equalNan: true });
    expect(() => expect([Number.NaN]).toBeAllclose([0], { equalNan: true })).toThrow();
  });

  it('matches an infinity only with the same infinity', () => {
    const inf = Number.POSITIVE_INFINITY;
    expect([inf, -inf]).toBeAllclose([inf, -inf]);
    expect(() => expect([-inf]).toBeAllclose([inf])).toThrow(/got -Infinity, expected Infinity/);
    // An infinite expected value must not turn rtol·|e| into an infinite tolerance.
    expect(() => expect([1e30]).toBeAllclose([inf], { rtol: 1 })).toThrow(/index 0/);
    expect(() => expect([inf]).toBeAllclose([1e30], { rtol: 1 })).toThrow(/index 0/);
  });

  it('rejects a length mismatch, naming the first missing or differing element', () => {
    expect(failure(() => expect([1, 2]).toBeAllclose([1, 2, 3]))).toMatch(
      /length 2, expected 3 .*first at index 2: got nothing, expected 3/,
    );
    expect(failure(() => expect([1, 9, 3]).toBeAllclose([1, 2]))).toMatch(
      /length 3, expected 2 .*first at index 1: got 9, expected 2/,
    );
  });

  it('rejects what is not an array of numbers (a forgotten await, a tensor)', () => {
    expect(() => expect(Promise.resolve([1])).toBeAllclose([1])).toThrow(/got Promise/);
    expect(() => expect(1).toBeAllclose([1])).toThrow(/array of numbers, got 1/);
    expect(() => expect(['1']).toBeAllclose([1])).toThrow(/index 0/);
  });

  it('prefixes the label of expect(actual, label) and supports .not', () => {
    expect(failure(() => expect([2], 'layer 3').toBeAllclose([1]))).toMatch(/^layer 3: /);
    expect([2]).not.toBeAllclose([1]);
    expect(failure(() => expect([1]).not.toBeAllclose([1]))).toMatch(/not to be allclose/);
  });

  it('is the allclose() rule', () => {
    expect(allclose([1, 2], [1, 2.5], { atol: 0.1 })).toEqual({
      pass: false,
      message:
        '1 of 2 values differ (atol 0.1, rtol 0.00001); first at index 1: got 2, expected 2.5 (|diff| 0.5 > 0.100025)',
    });
    expect(allclose([1], [1]).pass).toBe(true);
  });
});
