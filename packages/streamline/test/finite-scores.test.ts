/**
 * Numbers that are not numbers stop the run: window scores (metrics/finite-scores.ts) — an
 * infinite score, or no finite score for a size the method needs, is an error naming the model,
 * the stage and the metric, while a single NaN window (a metric's deliberate "cannot score") is
 * not — and the kept replacement's validation loss (training/finite-loss.ts).
 */
import { NonFiniteResultError } from '@llm-streamline/llm';
import { describe, expect, it } from 'vitest';
import { assertFiniteScores } from '../src/metrics/finite-scores.js';
import { assertFiniteValidationLoss } from '../src/training/finite-loss.js';

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

describe('assertFiniteValidationLoss', () => {
  const result = (validationLoss: number[], bestEpoch: number) => ({
    stepLoss: [],
    epochLoss: [],
    validationLoss,
    bestEpoch,
  });

  it('passes a finite kept loss, even after a NaN epoch', () => {
    expect(() =>
      assertFiniteValidationLoss(result([0.5, Number.NaN], 0), 'm, training'),
    ).not.toThrow();
  });

  it('refuses a NaN kept loss, naming the model and the stage', () => {
    expect(() =>
      assertFiniteValidationLoss(result([Number.NaN, 0.2], 0), 'm.bin, training'),
    ).toThrow(/^m\.bin, training: the validation loss of the kept replacement \(epoch 0\) is NaN/);
  });
});
