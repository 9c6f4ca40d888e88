/**
 * The importance metrics on stories260K against naive references computed in the test: hidden
 * states of every boundary from one plain forward pass, cosine per token in float64, averaged over
 * all tokens; perplexity with the window's layers spliced out, from the logits in float64.
 */
import { type LlamaForCausalLM, packBlocks } from '@llm-streamline/llm';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  angularMetric,
  biMetric,
  cosineMetric,
  METRICS,
  metricByName,
  pplMetric,
} from '../src/index.js';
import {
  allHiddenStates,
  loadStories260K,
  logitsOf,
  naiveMeanCosine,
  storiesParagraphs,
} from './helpers.js';

let model: LlamaForCausalLM;
let blocks: number[][];
let hidden: Float32Array[];
const D = 64;
const SIZES = [1, 2, 3];

beforeAll(async () => {
  const loaded = await loadStories260K();
  model = loaded.model;
  // Three blocks of 32 tokens; batches of 2 make the metric accumulate over an uneven last batch.
  blocks = packBlocks(await storiesParagraphs(0, 10), loaded.tokenizer, 32).slice(0, 3);
  expect(blocks).toHaveLength(3);
  hidden = await allHiddenStates(model, blocks);
});

/** Mean over tokens of f(cos(h_j, h_{j+m})), in float64. */
function naiveMean(j: number, m: number, f: (cos: number) => number): number {
  return naiveMeanCosine(hidden[j] as Float32Array, hidden[j + m] as Float32Array, D, f);
}

function naiveScores(f: (cos: number) => number): Map<number, number[]> {
  const L = model.layers.length;
  return new Map(
    SIZES.map((m) => [m, Array.from({ length: L - m + 1 }, (_, j) => naiveMean(j, m, f))]),
  );
}

function expectScoresClose(
  got: Map<number, number[]>,
  want: Map<number, number[]>,
  tolerance: number,
): void {
  expect([...got.keys()]).toEqual([...want.keys()]);
  for (const [m, scores] of want) {
    const g = got.get(m) as number[];
    expect(g).toHaveLength(scores.length);
    for (const [j, s] of scores.entries()) {
      expect(Math.abs((g[j] as number) - s), `m=${m} j=${j}: ${g[j]} vs ${s}`).toBeLessThan(
        tolerance,
      );
    }
  }
}

describe('hidden-state metrics equal a naive float64 computation', () => {
  it('registers every metric by name', () => {
    expect([...METRICS.keys()]).toEqual(['cosine', 'angular', 'bi', 'ppl']);
    expect(metricByName('angular')).toBe(angularMetric);
    expect(() => metricByName('nope')).toThrow(
      /unknown metric 'nope'; choose one of: cosine, angular, bi, ppl/,
    );
  });

  it('cosine: mean over tokens of cos(h_j, h_{j+m}) for every window and size', async () => {
    const got = await cosineMetric.score({ model, blocks, batchSize: 2 }, SIZES);
    expectScoresClose(
      got,
      naiveScores((c) => c),
      2e-5,
    );
    // Sanity: the numbers are real similarities, not all ones.
    const all = [...got.values()].flat();
    expect(Math.min(...all)).toBeLessThan(0.95);
    expect(Math.max(...all)).toBeLessThanOrEqual(1 + 1e-6);
  });

  it('angular: mean over tokens of arccos(cos)/π', async () => {
    const got = await angularMetric.score({ model, blocks, batchSize: 2 }, SIZES);
    // acos is steep near 1; float32 cosines give a few 1e-4 of slack there.
    expectScoresClose(
      got,
      naiveScores((c) => Math.acos(Math.min(1, Math.max(-1, c))) / Math.PI),
      5e-4,
    );
  });

  it('bi: 1 − mean cosine', async () => {
    const got = await biMetric.score({ model, blocks, batchSize: 3 }, SIZES);
    expectScoresClose(
      got,
      naiveScores((c) => 1 - c),
      2e-5,
    );
  });

  it('is independent of the batch size', async () => {
    const one = await cosineMetric.score({ model, blocks, batchSize: 1 }, [2]);
    const all = await cosineMetric.score({ model, blocks, batchSize: 8 }, [2]);
    expectScoresClose(one, all, 1e-6);
  });
});

describe('ppl metric', () => {
  /** exp(mean next-token NLL) of the model as it is, from its logits in float64. */
  async function naivePerplexity(): Promise<number> {
    const logits = await logitsOf(model, blocks);
    const V = model.config.vocabSize;
    let nll = 0;
    let count = 0;
    blocks.forEach((block, b) => {
      for (let t = 0; t + 1 < block.length; t++) {
        const row = logits.subarray((b * block.length + t) * V, (b * block.length + t + 1) * V);
        let max = -Infinity;
        for (const v of row) max = Math.max(max, v);
        let z = 0;
        for (const v of row) z += Math.exp(v - max);
        nll += max + Math.log(z) - (row[block[t + 1] as number] as number);
        count++;
      }
    });
    return Math.exp(nll / count);
  }

  it('equals the perplexity of the model with the window spliced out, and leaves the model intact', async () => {
    const layersBefore = [...model.layers];
    const got = await pplMetric.score({ model, blocks, batchSize: 2 }, [1, 2]);
    expect(model.layers.length).toBe(layersBefore.length);
    for (const [i, layer] of layersBefore.entries()) expect(model.layers.at(i)).toBe(layer);
    for (const m of [1, 2]) {
      const scores = got.get(m) as number[];
      expect(scores).toHaveLength(model.layers.length - m + 1);
      for (let j = 0; j + m <= model.layers.length; j++) {
        const removed = model.layers.splice(j, m);
        let want: number;
        try {
          want = await naivePerplexity();
        } finally {
          model.layers.splice(j, 0, ...removed);
        }
        expect(
          Math.abs((scores[j] as number) / want - 1),
          `m=${m} j=${j}: ${scores[j]} vs ${want}`,
        ).toBeLessThan(1e-4);
      }
    }
    // Removing any layer hurts this small model.
    const intact = await naivePerplexity();
    for (const s of got.get(1) as number[]) expect(s).toBeGreaterThan(intact);
  });
});
