/**
 * The closed-form `linear` replacement: least squares recovers an exact affine map, Cholesky
 * agrees with a naive solver, and the fitted block computes h·Wᵀ + b.
 */
import { variable } from '@llm-streamline/autograd';
import type { LlamaConfig } from '@llm-streamline/llm';
import { data, getDevice, tensor } from '@llm-streamline/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  choleskySolve,
  fitLeastSquares,
  LinearBlock,
  linearReplacement,
  type PairSource,
  REPLACEMENTS,
  replacementByName,
} from '../src/index.js';
import { maxAbsDiff, uniform } from './helpers.js';

beforeAll(async () => {
  await getDevice();
});

const D = 8;

/** Random A [D, D] (y = A·x + b) and b [D]. */
function randomAffine(seed: number): { a: Float64Array; b: Float64Array } {
  const r = uniform(seed);
  return {
    a: Float64Array.from({ length: D * D }, () => r()),
    b: Float64Array.from({ length: D }, () => r() * 3),
  };
}

/** Pairs whose targets are exactly A·x + b for random x, in `batches` batches of [2, 16, D]. */
function affinePairs(
  a: Float64Array,
  b: Float64Array,
  batches: number,
  seed: number,
): PairSource & { disposed: boolean } {
  const r = uniform(seed, -2, 2);
  const data = Array.from({ length: batches }, () => {
    const input = Float32Array.from({ length: 2 * 16 * D }, () => r());
    const target = new Float32Array(input.length);
    for (let row = 0; row < input.length / D; row++) {
      for (let i = 0; i < D; i++) {
        let s = b[i] as number;
        for (let k = 0; k < D; k++) s += (a[i * D + k] as number) * (input[row * D + k] as number);
        target[row * D + i] = s;
      }
    }
    return { input, target };
  });
  return {
    batchCount: batches,
    disposed: false,
    async batch(i) {
      const { input, target } = data[i] as { input: Float32Array; target: Float32Array };
      return { input: tensor(input, [2, 16, D]), target: tensor(target, [2, 16, D]) };
    },
    async dispose() {
      this.disposed = true;
    },
  };
}

/** Gaussian elimination with partial pivoting, float64: the naive reference. */
function naiveSolve(s: Float64Array, b: Float64Array, n: number, k: number): Float64Array {
  const m = Array.from({ length: n }, (_, i) => [
    ...s.subarray(i * n, i * n + n),
    ...b.subarray(i * k, i * k + k),
  ]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++)
      if (Math.abs(m[r]?.[col] as number) > Math.abs(m[pivot]?.[col] as number)) pivot = r;
    [m[col], m[pivot]] = [m[pivot] as number[], m[col] as number[]];
    const p = m[col] as number[];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const row = m[r] as number[];
      const f = (row[col] as number) / (p[col] as number);
      for (let c = col; c < n + k; c++) row[c] = (row[c] as number) - f * (p[c] as number);
    }
  }
  const x = new Float64Array(n * k);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < k; c++)
      x[i * k + c] = ((m[i] as number[])[n + c] as number) / ((m[i] as number[])[i] as number);
  return x;
}

describe('choleskySolve', () => {
  it('solves a symmetric positive-definite system like a naive solver', () => {
    const n = 9;
    const k = 4;
    const r = uniform(3);
    const g = Float64Array.from({ length: n * n }, () => r());
    // S = GᵀG + I is symmetric positive definite.
    const s = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let v = i === j ? 1 : 0;
        for (let p = 0; p < n; p++) v += (g[p * n + i] as number) * (g[p * n + j] as number);
        s[i * n + j] = v;
      }
    }
    const b = Float64Array.from({ length: n * k }, () => r());
    const x = choleskySolve(s, b, n, k);
    expect(maxAbsDiff(x, naiveSolve(s, b, n, k))).toBeLessThan(1e-10);
    // And S·X = B.
    const sx = new Float64Array(n * k);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < k; c++)
        for (let p = 0; p < n; p++)
          sx[i * k + c] =
            (sx[i * k + c] as number) + (s[i * n + p] as number) * (x[p * k + c] as number);
    expect(maxAbsDiff(sx, b)).toBeLessThan(1e-10);
  });

  it('throws on a matrix that is not positive definite', () => {
    expect(() =>
      choleskySolve(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2, 1),
    ).toThrow(/not positive definite/);
  });
});

describe('fitLeastSquares', () => {
  it('recovers an exact affine map y = A·x + b', async () => {
    const { a, b } = randomAffine(11);
    const pairs = affinePairs(a, b, 3, 12);
    const fit = await fitLeastSquares(pairs, D);
    // weight is W = A ([out, in], as Linear stores it); bias is b.
    expect(maxAbsDiff(fit.weight, a)).toBeLessThan(1e-3);
    expect(maxAbsDiff(fit.bias, b)).toBeLessThan(1e-3);
  });

  it('stops when the signal is aborted', async () => {
    const { a, b } = randomAffine(1);
    const controller = new AbortController();
    controller.abort();
    await expect(fitLeastSquares(affinePairs(a, b, 2, 2), D, controller.signal)).rejects.toThrow(
      /abort/i,
    );
  });
});

describe('linear replacement', () => {
  const config = { hiddenSize: D } as LlamaConfig;

  it('is registered, spans n + 1 layers, fits in closed form and is not exportable', () => {
    expect([...REPLACEMENTS.keys()]).toEqual(['none', 'layer', 'ffn', 'linear']);
    expect(replacementByName('linear')).toBe(linearReplacement);
    expect(() => replacementByName('mlp')).toThrow(
      /unknown replacement 'mlp'; choose one of: none, layer, ffn, linear/,
    );
    expect(linearReplacement.windowSize(3)).toBe(4);
    expect(linearReplacement.fit).toBe('closed-form');
    const block = new LinearBlock(config);
    const encoded = block.asLlamaLayer();
    expect(encoded.reason).toMatch(/cannot be written as a LLaMA decoder layer/);
    block.dispose();
  });

  it('starts as the identity and, once fitted, computes A·h + b', async () => {
    const block = new LinearBlock(config);
    const r = uniform(5);
    const h = Float32Array.from({ length: 3 * D }, () => r());
    const x = tensor(h, [1, 3, D]);
    const ctx = {} as never;
    expect(maxAbsDiff(await data(block.forward(variable(x), ctx).value), h)).toBe(0);

    const { a, b } = randomAffine(21);
    const pairs = affinePairs(a, b, 2, 22);
    await linearReplacement.fitClosedForm?.(block, pairs);
    const want = new Float32Array(h.length);
    for (let t = 0; t < 3; t++)
      for (let i = 0; i < D; i++)
        want[t * D + i] =
          (b[i] as number) +
          a.subarray(i * D, i * D + D).reduce((s, v, k) => s + v * (h[t * D + k] as number), 0);
    expect(maxAbsDiff(await data(block.forward(variable(x), ctx).value), want)).toBeLessThan(1e-3);
    x.dispose();
    block.dispose();
  });
});
