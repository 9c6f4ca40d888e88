import { maxAbsDiff } from '@llm-streamline/test-utils';
import { describe, expect, it } from 'vitest';

describe('maxAbsDiff', () => {
  it('is the largest |a − b|, NaN when any difference is NaN', () => {
    expect(maxAbsDiff([1, 2, 3], [1, 2.5, 2])).toBe(1);
    expect(maxAbsDiff(new Float32Array([1]), [1])).toBe(0);
    expect(maxAbsDiff([0, Number.NaN, 5], [0, 0, 0])).toBeNaN();
    expect(maxAbsDiff([], [])).toBe(0);
  });

  it('refuses arrays of different lengths', () => {
    expect(() => maxAbsDiff([1, 2], [1])).toThrow(/length 2 ≠ 1/);
  });
});
