/**
 * Choosing the window, on synthetic data whose answer is known: selectWindow's direction,
 * ties, NaN and excludeLastLayer; sumOverWindows' boundary bookkeeping (ring buffer) on a fake model
 * whose hidden states are known in closed form; layersToRemove from n, from a ratio, and too large.
 */
import { type Variable, variable } from '@llm-streamline/autograd';
import type { LlamaForCausalLM } from '@llm-streamline/llm';
import {
  add,
  cast,
  getDevice,
  mul,
  reshape,
  scope,
  sub,
  sum,
  type Tensor,
} from '@llm-streamline/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  angularMetric,
  cosineMetric,
  layersToRemove,
  selectWindow,
  sumOverWindows,
  type WindowMetric,
} from '../src/index.js';

beforeAll(async () => {
  await getDevice();
});

const higher = {
  name: 'h',
  description: '',
  higherIsRedundant: true,
  allSizesInOnePass: true,
} as WindowMetric;
const lower = {
  name: 'l',
  description: '',
  higherIsRedundant: false,
  allSizesInOnePass: true,
} as WindowMetric;

describe('selectWindow', () => {
  it('takes the highest score when higher is redundant, the lowest otherwise', () => {
    const scores = [0.2, 0.9, 0.5, 0.1];
    expect(selectWindow(higher, scores, 2)).toEqual({ start: 1, size: 2, score: 0.9 });
    expect(selectWindow(lower, scores, 2)).toEqual({ start: 3, size: 2, score: 0.1 });
    // The built-in metrics declare their direction: cosine up, angular distance down.
    expect(selectWindow(cosineMetric, scores, 1).start).toBe(1);
    expect(selectWindow(angularMetric, scores, 1).start).toBe(3);
  });

  it('breaks ties by the earliest window and skips NaN scores', () => {
    expect(selectWindow(higher, [0.5, 0.7, 0.7, 0.7], 1).start).toBe(1);
    expect(selectWindow(lower, [0.3, 0.3], 1).start).toBe(0);
    expect(selectWindow(higher, [Number.NaN, 0.1, Number.NaN, 0.05], 1).start).toBe(1);
    expect(selectWindow(lower, [Number.NaN, 0.1, 0.05, Number.NaN], 1).start).toBe(2);
  });

  it('excludeLastLayer skips only the window that ends at the last layer', () => {
    // 5 layers, m = 2: windows start at 0…3; window 3 covers layers 3–4 (the last).
    const scores = [0.1, 0.4, 0.6, 0.95];
    expect(selectWindow(higher, scores, 2).start).toBe(3);
    expect(selectWindow(higher, scores, 2, { excludeLastLayer: true })).toEqual({
      start: 2,
      size: 2,
      score: 0.6,
    });
    // The lowest-is-redundant direction with the best window last.
    expect(selectWindow(lower, [0.5, 0.3, 0.1], 3, { excludeLastLayer: true }).start).toBe(1);
  });

  it('throws a clear error when no window is left to choose', () => {
    expect(() => selectWindow(higher, [0.9], 5, { excludeLastLayer: true })).toThrow(
      /no window of 5 layers can be chosen.*last-layer windows excluded/,
    );
    expect(() => selectWindow(higher, [Number.NaN, Number.NaN], 2)).toThrow(
      /no window of 2 layers/,
    );
    expect(() => selectWindow(higher, [], 2)).toThrow(/no window/);
  });
});

/**
 * A fake model with D = 1: the embedding of token x is x, and layer k adds c_k. So the hidden
 * state of token x at boundary j is x + S_j with S_j = c_0 + … + c_{j−1}.
 */
function fakeModel(c: readonly number[]): LlamaForCausalLM {
  const layers = c.map((ck) => ({
    forward: (h: Variable): Variable => variable(add(h.value, ck)),
  }));
  return {
    layers,
    embed: (ids: Tensor) => variable(scope(() => reshape(cast(ids, 'f32'), [...ids.shape, 1]))),
    layerContext: () => ({}),
  } as unknown as LlamaForCausalLM;
}

describe('sumOverWindows', () => {
  const c = [0.5, -1.25, 2, 0.75, -0.5, 1.5];
  const S = [0];
  for (const ck of c) S.push((S.at(-1) as number) + ck);
  // Five blocks of 3 tokens, batches of 2 (the last batch has one block).
  const blocks = [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
    [10, 11, 12],
    [13, 14, 15],
  ];
  // Asymmetric and token-dependent: (h_j) · (h_{j+m} − h_j) per token.
  const perToken = (a: Tensor, b: Tensor) => sum(mul(a, sub(b, a)), -1);
  const expected = (j: number, m: number) =>
    blocks
      .flat()
      .reduce(
        (acc, x) => acc + (x + (S[j] as number)) * ((S[j + m] as number) - (S[j] as number)),
        0,
      );

  it('compares every boundary j with j + m for several window sizes at once', async () => {
    const progress: [number, number][] = [];
    const model = fakeModel(c);
    const device = await getDevice();
    const liveBefore = device.memoryStats().bytesLive;
    const sizes = [1, 3, 2, 6];
    const { sums, tokens } = await sumOverWindows(
      { model, blocks, batchSize: 2, onProgress: (d, t) => progress.push([d, t]) },
      sizes,
      perToken,
    );
    expect(tokens).toBe(15);
    expect([...sums.keys()]).toEqual(sizes);
    for (const m of sizes) {
      const got = [...(sums.get(m) as Float64Array)];
      expect(got).toHaveLength(c.length - m + 1);
      for (const [j, v] of got.entries())
        expect(v, `window j=${j} m=${m}`).toBeCloseTo(expected(j, m), 3);
    }
    expect(progress).toEqual([
      [2, 5],
      [4, 5],
      [5, 5],
    ]);
    // The ring frees every hidden state: nothing of the walk stays alive.
    expect(device.memoryStats().bytesLive).toBe(liveBefore);
  });

  it('rejects window sizes outside 1…L and stops when the signal is aborted', async () => {
    const model = fakeModel(c);
    await expect(sumOverWindows({ model, blocks, batchSize: 2 }, [7], perToken)).rejects.toThrow(
      /window size 7 is outside 1…6/,
    );
    await expect(sumOverWindows({ model, blocks, batchSize: 2 }, [0], perToken)).rejects.toThrow(
      /outside/,
    );
    const controller = new AbortController();
    controller.abort();
    await expect(
      sumOverWindows({ model, blocks, batchSize: 2, signal: controller.signal }, [1], perToken),
    ).rejects.toThrow(/abort/i);
  });
});

/** A fake model with `numLayers` layers of `layerParams` parameters and `otherParams` besides. */
function sizedModel(numLayers: number, layerParams: number, otherParams: number): LlamaForCausalLM {
  return {
    layers: { length: numLayers, at: () => ({ parameterCount: () => layerParams }) },
    parameterCount: () => numLayers * layerParams + otherParams,
  } as unknown as LlamaForCausalLM;
}

describe('layersToRemove', () => {
  const model = sizedModel(12, 100, 200); // 1,400 parameters

  it('takes n directly', () => {
    expect(layersToRemove(model, { layers: 3 }, 1)).toBe(3);
    expect(layersToRemove(model, { layers: 1 }, 0)).toBe(1);
  });

  it('derives n from a ratio of all parameters, rounding to whole layers, at least 1', () => {
    expect(layersToRemove(model, { ratio: 0.25 }, 1)).toBe(4); // 350 / 100 = 3.5 → 4
    expect(layersToRemove(model, { ratio: 0.2 }, 1)).toBe(3); // 280 / 100 = 2.8 → 3
    expect(layersToRemove(model, { ratio: 0.01 }, 1)).toBe(1); // 0.14 → at least one layer
    expect(() => layersToRemove(model, { ratio: 0 }, 1)).toThrow(/ratio must be between 0 and 1/);
    expect(() => layersToRemove(model, { ratio: 1 }, 1)).toThrow(/ratio must be between 0 and 1/);
    expect(() => layersToRemove(model, { ratio: Number.NaN }, 1)).toThrow(/ratio/);
  });

  it('rejects n that is not a positive integer', () => {
    expect(() => layersToRemove(model, { layers: 0 }, 1)).toThrow(/positive integer/);
    expect(() => layersToRemove(model, { layers: 1.5 }, 1)).toThrow(/positive integer/);
  });

  it('rejects n that would leave no layer, saying how many can go', () => {
    // Plain removal may take 11 of 12; with a replacement, the window of n + 1 may span all 12.
    expect(layersToRemove(model, { layers: 11 }, 0)).toBe(11);
    expect(layersToRemove(model, { layers: 11 }, 1)).toBe(11);
    expect(() => layersToRemove(model, { layers: 12 }, 0)).toThrow(
      /cannot remove 12 of 12 layers: at most 11 can be removed/,
    );
    expect(() => layersToRemove(model, { layers: 12 }, 1)).toThrow(
      /cannot remove 12 of 12 layers with a replacement \(its window spans n \+ 1 = 13 layers\): at most 11/,
    );
    expect(() => layersToRemove(model, { ratio: 0.95 }, 1)).toThrow(/cannot remove 13 of 12/);
  });
});
