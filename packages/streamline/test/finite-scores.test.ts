/**
 * Window scores that are not numbers stop the run (metrics/finite-scores.ts): an infinite score,
 * or no finite score for a size the method needs, is an error naming the model, the stage and the
 * metric; a single NaN window (a metric's deliberate "cannot score") is not.
 */
import { NonFiniteResultError } from '@llm-streamline/llm';
import { describe, expect, it } from 'vitest';
import { assertFiniteScores } from '../src/metrics/finite-scores.js';

const check = (scores: [number, number[]][], needed: number[]) => () =>
  assertFiniteScores(new Map(scores), needed, 'cosine', 'model.gguf, scoring');

describe('assertFiniteScores', () => {
  it('accepts finite scores and a lone NaN window', () => {
    expect(check([[2, [0.9, Number.NaN, 0.8]]], [2])).not.toThrow();
  });

  it('refuses an infinite score, naming the model, stage, window and metric', () => {
    expect(check([[1, [0.5, Number.POSITIVE_INFINITY]]], [1])).toThrow(NonFiniteResultError);
    expect(check([[1, [0.5, Number.NEGATIVE_INFINITY]]], [1])).toThrow(
      /^model\.gguf, scoring: the cosine score of the 1-layer window at layer 1 is -Infinity — the model's hidden states are not finite$/,
    );
  });

  it('refuses a needed size whose every score is NaN, but not an unneeded one', () => {
    const allNaN: [number, number[]] = [3, [Number.NaN, Number.NaN]];
    expect(check([allNaN], [3])).toThrow(
      /^model\.gguf, scoring: every cosine score of the 3-layer windows is NaN/,
    );
    expect(check([allNaN, [2, [0.1]]], [2])).not.toThrow();
  });
});
