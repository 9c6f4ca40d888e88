/**
 * The baselines recorded beside LLM-Streamline's choice for the same n: ShortGPT's n layers of
 * lowest Block Influence against a naive float64 loop of per-layer cosines, the perplexity metric's
 * window against a naive loop of `perplexity` with each window removed, and the perplexity each
 * baseline records against a direct `perplexity` of a fresh model with those layers removed. On
 * stories260K (5 layers), n = 2, no training (kind `none`).
 */
import { type LlamaForCausalLM, packBlocks, perplexity, type Tokenizer } from '@llm-streamline/llm';
import { rng } from '@llm-streamline/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BaselineRecord,
  prepareCalibration,
  type StreamlineOptions,
  type StreamlineReport,
  shortGptLayers,
  streamline,
} from '../src/index.js';
import { allHiddenStates, loadStories260K, naiveMeanCosine, storiesParagraphs } from './helpers.js';

const D = 64;
const N = 2;
const TINY = { blockLength: 32, scoringBlocks: 3, batchSize: 2, seed: 0 } as const;

let calibrationText: string;
let evaluationText: string;
let tokenizer: Tokenizer;
let scoring: number[][];
let evaluation: number[][];
/** stories260K as loaded, for the naive references. */
let fresh: LlamaForCausalLM;

beforeAll(async () => {
  calibrationText = await storiesParagraphs(0, 10);
  evaluationText = await storiesParagraphs(300, 2);
  const loaded = await loadStories260K();
  fresh = loaded.model;
  tokenizer = loaded.tokenizer;
  scoring = prepareCalibration(calibrationText, tokenizer, {
    ...TINY,
    trainingBlocks: 0,
    validationBlocks: 0,
  }).scoring;
  evaluation = packBlocks(evaluationText, tokenizer, TINY.blockLength);
  expect(evaluation.length).toBeGreaterThan(1);
});

afterAll(() => fresh.dispose());

async function run(extra: Partial<StreamlineOptions>): Promise<StreamlineReport> {
  const { model } = await loadStories260K();
  try {
    const { report } = await streamline({
      model,
      tokenizer,
      calibrationText,
      evaluationText,
      evaluationBlocks: Number.POSITIVE_INFINITY,
      target: { layers: N },
      replacement: 'none',
      ...TINY,
      ...extra,
    });
    return report;
  } finally {
    model.dispose();
  }
}

function baseline(report: StreamlineReport, method: BaselineRecord['method']): BaselineRecord {
  const found = report.baselines?.find((b) => b.method === method);
  if (!found) throw new Error(`no ${method} baseline in the report`);
  return found;
}

/** BI_l = 1 − mean over tokens of cos(h_l, h_{l+1}), in float64 from one plain forward pass. */
async function naiveBlockInfluence(model: LlamaForCausalLM): Promise<number[]> {
  const hidden = await allHiddenStates(model, scoring);
  return Array.from(
    { length: model.layers.length },
    (_, l) => 1 - naiveMeanCosine(hidden[l] as Float32Array, hidden[l + 1] as Float32Array, D),
  );
}

/** The n lowest, one at a time: the first smallest remaining score, n times. */
function naiveLowest(scores: readonly number[], n: number, skip: ReadonlySet<number> = new Set()) {
  const taken = new Set(skip);
  const chosen: number[] = [];
  for (let k = 0; k < n; k++) {
    let best = -1;
    for (let l = 0; l < scores.length; l++)
      if (!taken.has(l) && (best < 0 || (scores[l] as number) < (scores[best] as number))) best = l;
    taken.add(best);
    chosen.push(best);
  }
  return chosen.sort((a, b) => a - b);
}

/** Perplexity of the loaded model with `removed` layers spliced out (put back afterwards). */
async function perplexityWithout(removed: readonly number[], blocks: number[][]): Promise<number> {
  const layers = [...fresh.layers];
  fresh.layers.splice(0, layers.length, ...layers.filter((_, l) => !removed.includes(l)));
  try {
    return (await perplexity(fresh, blocks, { batchSize: TINY.batchSize })).perplexity;
  } finally {
    fresh.layers.splice(0, fresh.layers.length, ...layers);
  }
}

function expectClose(got: readonly number[], want: readonly number[], relative: number): void {
  expect(got).toHaveLength(want.length);
  want.forEach((w, k) => {
    const g = got[k] as number;
    expect(Math.abs(g - w), `entry ${k}: ${g} vs ${w}`).toBeLessThanOrEqual(relative * Math.abs(w));
  });
}

describe('shortGptLayers', () => {
  it('takes the n lowest influences anywhere, earliest on ties, in layer order', () => {
    const influence = [0.3, 0.1, 0.5, 0.1, 0.05];
    expect(shortGptLayers(influence, 1)).toEqual([4]);
    expect(shortGptLayers(influence, 2)).toEqual([1, 4]);
    expect(shortGptLayers(influence, 3)).toEqual([1, 3, 4]);
    expect(shortGptLayers(influence, 2, { excludeLastLayer: true })).toEqual([1, 3]);
  });

  it('equals the naive n-fold argmin on random scores', () => {
    const next = rng(7);
    for (let trial = 0; trial < 50; trial++) {
      // Coarse values, so ties happen.
      const scores = Array.from({ length: 12 }, () => Math.round(next() * 8) / 8);
      for (const n of [1, 3, 6, 11]) {
        expect(shortGptLayers(scores, n)).toEqual(naiveLowest(scores, n));
        expect(shortGptLayers(scores, n, { excludeLastLayer: true })).toEqual(
          naiveLowest(scores, n, new Set([11])),
        );
      }
    }
  });

  it('says what it expected when n cannot be met', () => {
    expect(() => shortGptLayers([0.1, 0.2], 3)).toThrow(
      'ShortGPT: cannot remove 3 of 2 scorable layers (expected 1…2)',
    );
    expect(() => shortGptLayers([0.1, 0.2], 2, { excludeLastLayer: true })).toThrow(
      'cannot remove 2 of 1 scorable layers',
    );
  });
});

describe('baselines for the same n in streamline.json (stories260K, n = 2)', () => {
  it('ShortGPT and the ppl window match naive choices, and their perplexities a direct one', async () => {
    // angular: the run's scores hold no BI, so ShortGPT's is computed by its own pass.
    const report = await run({ metric: 'angular', pplBaseline: true });
    expect(report.baselines?.map((b) => b.method)).toEqual(['short-gpt', 'ppl-window']);

    const influence = await naiveBlockInfluence(fresh);
    const shortGpt = baseline(report, 'short-gpt');
    expect(shortGpt.scores).toHaveLength(5);
    shortGpt.scores.forEach((s, l) => {
      expect(Math.abs(s - (influence[l] as number)), `layer ${l}`).toBeLessThan(1e-5);
    });
    expect(shortGpt.layers).toEqual(naiveLowest(influence, N));

    const windowPerplexities: number[] = [];
    for (let j = 0; j + N <= 5; j++)
      windowPerplexities.push(await perplexityWithout([j, j + 1], scoring));
    const pplWindow = baseline(report, 'ppl-window');
    expectClose(pplWindow.scores, windowPerplexities, 1e-6);
    const j = naiveLowest(windowPerplexities, 1)[0] as number;
    expect(pplWindow.layers).toEqual([j, j + 1]);

    // The same evaluation blocks as the report's other perplexities.
    expectClose(
      [report.perplexity?.original as number],
      [await perplexityWithout([], evaluation)],
      1e-6,
    );
    for (const b of [shortGpt, pplWindow])
      expectClose([b.perplexity as number], [await perplexityWithout(b.layers, evaluation)], 1e-6);
    // Plain removal of the chosen window is the same model as the ppl window when they agree.
    if (pplWindow.layers[0] === report.removalWindow.start)
      expectClose([pplWindow.perplexity as number], [report.perplexity?.none as number], 1e-6);

    expect(JSON.parse(JSON.stringify(report)).baselines).toEqual(report.baselines);
  });

  it('reuses the run scores: BI from the cosine metric, the window from the ppl metric', async () => {
    const cosine = await run({});
    expect(cosine.baselines?.map((b) => b.method)).toEqual(['short-gpt']);
    expect(baseline(cosine, 'short-gpt').scores).toEqual(
      (cosine.scores['1'] as number[]).map((c) => 1 - c),
    );
    const ppl = await run({ metric: 'ppl' });
    expect(ppl.baselines?.map((b) => b.method)).toEqual(['short-gpt', 'ppl-window']);
    const pplWindow = baseline(ppl, 'ppl-window');
    expect(pplWindow.scores).toEqual(ppl.scores[String(N)]);
    expect(pplWindow.layers).toEqual([ppl.removalWindow.start, ppl.removalWindow.start + 1]);
  });

  it('records no baselines with compareBaselines: false, and their choice without evaluation', async () => {
    expect((await run({ compareBaselines: false })).baselines).toBeUndefined();
    const unevaluated = await run({ evaluationText: undefined });
    expect(unevaluated.baselines).toHaveLength(1);
    expect(baseline(unevaluated, 'short-gpt').perplexity).toBeUndefined();
  });
});
