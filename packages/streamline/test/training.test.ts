/**
 * Training pairs and replacement training on stories260K: the pairs are the model's own hidden
 * states at the window's boundaries (stored in memory or, in Node, in a file), training lowers the
 * validation MSE, and a loss that blows up stops training with the best parameters kept.
 */
import { type LlamaForCausalLM, packBlocks, type Tokenizer } from '@llm-streamline/llm';
import type { Tensor } from '@llm-streamline/tensor';
import { data } from '@llm-streamline/tensor';
import { testRuntime } from '@llm-streamline/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computePair,
  ffnReplacement,
  MemoryPairStorage,
  type PairSource,
  RecomputedPairs,
  StoredPairs,
  type TrainOptions,
  trainReplacement,
  validationLoss,
} from '../src/index.js';
import { allHiddenStates, loadStories260K, maxAbsDiff, storiesParagraphs } from './helpers.js';

let model: LlamaForCausalLM;
let tokenizer: Tokenizer;
let trainBlocks: number[][];
let validBlocks: number[][];
const START = 2;
const SIZE = 2;

beforeAll(async () => {
  ({ model, tokenizer } = await loadStories260K());
  const blocks = packBlocks(await storiesParagraphs(0, 60), tokenizer, 64);
  trainBlocks = blocks.slice(0, 8);
  validBlocks = blocks.slice(8, 10);
  expect(validBlocks).toHaveLength(2);
});

afterAll(() => model.dispose());

const OPTIONS: TrainOptions = {
  epochs: 2,
  lr: 3e-3,
  minLr: 3e-4,
  weightDecay: 0,
  clipNorm: 1,
  microBatches: 2,
  seed: 0,
};

async function snapshotData(state: Map<string, Tensor>): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, t] of state) out.set(name, (await data(t)) as Float32Array);
  return out;
}

describe('training pairs', () => {
  it('are the hidden states at boundaries j and j + m, stored or recomputed alike', async () => {
    const hidden = await allHiddenStates(model, trainBlocks.slice(0, 3));
    const direct = computePair(model, trainBlocks.slice(0, 3), START, SIZE);
    expect(direct.input.shape).toEqual([3, 64, 64]);
    expect(maxAbsDiff(await data(direct.input), hidden[START] as Float32Array)).toBeLessThan(1e-5);
    expect(
      maxAbsDiff(await data(direct.target), hidden[START + SIZE] as Float32Array),
    ).toBeLessThan(1e-5);
    direct.input.dispose();
    direct.target.dispose();

    const progress: number[] = [];
    const stored = await StoredPairs.create(
      model,
      trainBlocks.slice(0, 3),
      2,
      START,
      SIZE,
      new MemoryPairStorage(),
      {
        onProgress: (done) => progress.push(done),
      },
    );
    const recomputed = new RecomputedPairs(model, trainBlocks.slice(0, 3), 2, START, SIZE);
    expect(progress).toEqual([1, 2]);
    expect(stored.batchCount).toBe(2);
    expect(recomputed.batchCount).toBe(2);
    const rows = [0, 2];
    for (let i = 0; i < 2; i++) {
      const a = await stored.batch(i);
      const b = await recomputed.batch(i);
      expect(a.input.shape).toEqual([i === 0 ? 2 : 1, 64, 64]);
      expect(maxAbsDiff(await data(a.input), await data(b.input))).toBe(0);
      expect(maxAbsDiff(await data(a.target), await data(b.target))).toBe(0);
      const from = (rows[i] as number) * 64 * 64;
      const target = (hidden[START + SIZE] as Float32Array).subarray(from, from + a.target.size);
      expect(maxAbsDiff(await data(a.target), target)).toBeLessThan(1e-5);
      for (const t of [a.input, a.target, b.input, b.target]) t.dispose();
    }
    await stored.dispose();
    await expect(stored.batch(0)).rejects.toThrow(/never stored/);
  });

  it('free their storage when computing them is cancelled', async () => {
    const controller = new AbortController();
    let disposed = false;
    const storage = new MemoryPairStorage();
    storage.dispose = async () => {
      disposed = true;
    };
    const pending = StoredPairs.create(model, trainBlocks, 2, START, SIZE, storage, {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(pending).rejects.toThrow(/abort/i);
    expect(disposed).toBe(true);
  });

  it.skipIf(testRuntime !== 'node')(
    'can live in a temporary file (Node), deleted on dispose',
    async () => {
      const { FilePairStorage } = await import('../src/node.js');
      const { mkdtemp, readdir, rm } = await import('node:fs/promises');
      const { tmpdir } = await import('node:os');
      const { join } = await import('node:path');
      const parent = await mkdtemp(join(tmpdir(), 'streamline-test-'));
      try {
        const storage = await FilePairStorage.create(parent);
        expect(await readdir(parent)).toHaveLength(1);
        const inMemory = await StoredPairs.create(
          model,
          trainBlocks.slice(0, 3),
          2,
          START,
          SIZE,
          new MemoryPairStorage(),
        );
        const inFile = await StoredPairs.create(
          model,
          trainBlocks.slice(0, 3),
          2,
          START,
          SIZE,
          storage,
        );
        for (const i of [1, 0]) {
          const a = await inMemory.batch(i);
          const b = await inFile.batch(i);
          expect(b.input.shape).toEqual(a.input.shape);
          expect(maxAbsDiff(await data(a.input), await data(b.input))).toBe(0);
          expect(maxAbsDiff(await data(a.target), await data(b.target))).toBe(0);
          for (const t of [a.input, a.target, b.input, b.target]) t.dispose();
        }
        await expect(storage.write(5, new Float32Array(2), new Float32Array(3))).rejects.toThrow(
          /sizes differ/,
        );
        await inMemory.dispose();
        await inFile.dispose();
        expect(await readdir(parent)).toEqual([]);
      } finally {
        await rm(parent, { recursive: true, force: true });
      }
    },
  );
});

describe('trainReplacement', () => {
  let training: PairSource;
  let validation: PairSource;

  beforeAll(async () => {
    training = await StoredPairs.create(
      model,
      trainBlocks,
      4,
      START,
      SIZE,
      new MemoryPairStorage(),
    );
    validation = await StoredPairs.create(
      model,
      validBlocks,
      4,
      START,
      SIZE,
      new MemoryPairStorage(),
    );
  });

  afterAll(async () => {
    await training.dispose();
    await validation.dispose();
  });

  it('lowers the validation MSE and keeps the best epoch', async () => {
    const block = ffnReplacement.create(
      { model, start: START, size: SIZE, seed: 0 },
      { init: 'layer' },
    );
    if (!block) throw new Error('no block');
    const steps: number[] = [];
    const epochs: boolean[] = [];
    const result = await trainReplacement(model, block, training, validation, {
      ...OPTIONS,
      onStep: (e) => {
        steps.push(e.step);
        expect(e.totalSteps).toBe(4);
      },
      onEpoch: (e) => epochs.push(e.best),
    });
    // Epoch 0 (before training) is reported first, then one event per epoch.
    expect(epochs).toHaveLength(3);
    expect(epochs[0]).toBe(true);
    expect(steps).toEqual([1, 2, 3, 4]);
    expect(result.stepLoss).toHaveLength(4);
    expect(result.epochLoss).toHaveLength(2);
    expect(result.validationLoss).toHaveLength(3);
    expect(result.stopped).toBeUndefined();
    const [initial, ...after] = result.validationLoss as [number, ...number[]];
    expect(Math.min(...after)).toBeLessThan(initial * 0.95);
    expect(result.bestEpoch).toBe(after.indexOf(Math.min(...after)) + 1);
    expect(epochs.slice(1).filter(Boolean).length).toBeGreaterThan(0);
    // The module now holds the best epoch's parameters, and is frozen again.
    const now = await validationLoss(model, block, validation);
    expect(Math.abs(now / (result.validationLoss[result.bestEpoch] as number) - 1)).toBeLessThan(
      1e-5,
    );
    expect(block.parameters().every((p) => !p.requiresGrad)).toBe(true);
    block.dispose();
  });

  it('stops on a non-finite loss, says why, and keeps the best parameters', async () => {
    const block = ffnReplacement.create(
      { model, start: START, size: SIZE, seed: 0 },
      { init: 'layer' },
    );
    if (!block) throw new Error('no block');
    const initial = await snapshotData(block.stateDict());
    const result = await trainReplacement(model, block, training, validation, {
      ...OPTIONS,
      epochs: 3,
      lr: 1e30,
      minLr: 1e30,
      clipNorm: 1e30,
    });
    expect(result.stopped).toMatch(
      /the training loss became (NaN|Infinity|-Infinity) at epoch \d, step \d+ .*parameters of epoch 0 were kept/,
    );
    expect(result.bestEpoch).toBe(0);
    expect(result.stepLoss.every(Number.isFinite)).toBe(true);
    const kept = await snapshotData(block.stateDict());
    for (const [name, values] of initial)
      expect(maxAbsDiff(kept.get(name) as Float32Array, values), name).toBe(0);
    block.dispose();
  });

  it('refuses to run without training or validation pairs', async () => {
    const block = ffnReplacement.create(
      { model, start: START, size: SIZE, seed: 0 },
      { init: 'layer' },
    );
    if (!block) throw new Error('no block');
    const empty: PairSource = {
      batchCount: 0,
      batch: () => Promise.reject(new Error('none')),
      dispose: async () => {},
    };
    await expect(trainReplacement(model, block, empty, validation, OPTIONS)).rejects.toThrow(
      /no training pairs/,
    );
    await expect(trainReplacement(model, block, training, empty, OPTIONS)).rejects.toThrow(
      /no validation pairs/,
    );
    block.dispose();
  });

  it('is cancelled by its signal', async () => {
    const block = ffnReplacement.create(
      { model, start: START, size: SIZE, seed: 0 },
      { init: 'layer' },
    );
    if (!block) throw new Error('no block');
    const controller = new AbortController();
    const pending = trainReplacement(model, block, training, validation, {
      ...OPTIONS,
      signal: controller.signal,
      onStep: () => controller.abort(),
    });
    await expect(pending).rejects.toThrow(/abort/i);
    expect(block.parameters().every((p) => !p.requiresGrad)).toBe(true);
    block.dispose();
  });
});
