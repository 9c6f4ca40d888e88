/**
 * keep: 'best' exports whichever of the replaced model and plain removal has the lower
 * language-model loss on the validation blocks. Checked both ways on stories260K (n = 1): a kind
 * whose "fit" wrecks the replacement on purpose loses to plain removal, and the ffn replacement,
 * trained at a budget of 32 steps, wins. The recorded losses are checked against perplexity() of
 * the two models built by hand (an independent path: whole forward passes, no shared prefix).
 */
import type { Module } from '@llm-streamline/autograd';
import { type DecoderBlock, type LlamaForCausalLM, perplexity } from '@llm-streamline/llm';
import { data, tensor } from '@llm-streamline/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareCalibration } from '../src/calibration/calibration-data.js';
import {
  ffnReplacement,
  MIN_OPTIMISER_STEPS,
  type ReplacementKind,
  registerReplacement,
  STREAMLINE_DEFAULTS,
  type StreamlineOptions,
  streamline,
} from '../src/index.js';
import { budgetWarnings, trainingSteps } from '../src/pipeline/training-budget.js';
import { decide } from '../src/stages/keep-better.js';
import { loadStories260K, storiesParagraphs } from './helpers.js';

/** The ffn kind, "fitted" by multiplying every weight by −20: far worse than removing the layers. */
const wreckedFfn: ReplacementKind = {
  ...ffnReplacement,
  name: 'test-wrecked-ffn',
  description: 'an ffn replacement with its weights scaled by −20 (keep.test.ts)',
  fit: 'closed-form',
  async fitClosedForm(block: DecoderBlock) {
    for (const p of (block as unknown as Module).parameters()) {
      const shape = p.value.shape;
      const values = (await data(p.value)) as Float32Array;
      p.value.dispose();
      p.value = tensor(
        values.map((v) => -20 * v),
        shape,
      );
    }
  },
} as ReplacementKind;
registerReplacement(wreckedFfn);

let calibrationText: string;

beforeAll(async () => {
  calibrationText = await storiesParagraphs(0, 60);
});

/** 64-token blocks; 32 training blocks in batches of 4 for 4 epochs = 32 steps, 4 validation blocks. */
const SMALL = {
  blockLength: 64,
  scoringBlocks: 4,
  trainingBlocks: 32,
  validationBlocks: 4,
  batchSize: 4,
  epochs: 4,
  seed: 0,
  target: { layers: 1 },
} as const;

async function run(extra: Partial<StreamlineOptions>) {
  const { model, tokenizer } = await loadStories260K();
  const warnings: string[] = [];
  const result = await streamline({
    model,
    tokenizer,
    calibrationText,
    ...SMALL,
    onWarning: (w) => warnings.push(w),
    ...extra,
  });
  return { ...result, tokenizer, warnings };
}

/** The validation blocks the run drew (the same seed and sizes). */
async function validationBlocks(): Promise<number[][]> {
  const { model, tokenizer } = await loadStories260K();
  model.dispose();
  return prepareCalibration(calibrationText, tokenizer, { ...SMALL }).validation;
}

/** Language-model loss of a whole model on the blocks, by perplexity() (no shared prefix). */
async function lossOf(model: LlamaForCausalLM, blocks: number[][]): Promise<number> {
  return Math.log((await perplexity(model, blocks, { batchSize: 4 })).perplexity);
}

/** Plain removal of `window` from a fresh copy of the model: its validation loss. */
async function removalLoss(window: { start: number; size: number }, blocks: number[][]) {
  const { model } = await loadStories260K();
  for (const layer of model.layers.splice(window.start, window.size)) layer.dispose();
  const loss = await lossOf(model, blocks);
  model.dispose();
  return loss;
}

describe('keep', () => {
  it("'best' keeps plain removal when the replacement is wrecked, and says what to change", async () => {
    const { report, model } = await run({ replacement: wreckedFfn.name });
    const keep = report.keep;
    expect(keep?.mode).toBe('best');
    expect(keep?.kept).toBe('removal');
    const loss = keep?.validationLoss;
    expect(loss?.blocks).toBe(SMALL.validationBlocks);
    expect(loss?.replaced).toBeGreaterThan((loss?.removal as number) + 0.5);
    expect(keep?.reason).toMatch(/plain removal has the lower validation loss/);
    expect(keep?.advice).toMatch(/training-blocks|epochs/);
    // Plain removal's window (n layers) is what left, and the checkpoint is a plain removal; the
    // report still names the replacement's window (m layers).
    expect(report.window.size).toBe(2);
    expect(report.removedLayers).toEqual([report.removalWindow.start]);
    expect(report.replacementLayer).toBeUndefined();
    expect(report.removalWindow.size).toBe(1);
    expect(report.replacement.export).toEqual({ as: 'removed' });
    expect(model.layers.length).toBe(report.model.layers - 1);
    // The exported model is plain removal: its loss is the recorded one.
    const blocks = await validationBlocks();
    expect(Math.abs((await lossOf(model, blocks)) - (loss?.removal as number))).toBeLessThan(1e-4);
    model.dispose();
  });

  it("'best' keeps the trained ffn replacement when it wins, at 32 steps", async () => {
    const { report, model, warnings } = await run({ replacement: 'ffn' });
    expect(warnings).toEqual([]);
    const keep = report.keep;
    expect(keep?.kept).toBe('replaced');
    expect(keep?.advice).toBeUndefined();
    const loss = keep?.validationLoss as { removal: number; replaced: number };
    expect(loss.replaced).toBeLessThan(loss.removal);
    expect(report.window.size).toBe(2);
    expect(report.replacement.export).toEqual({ as: 'llama-layer' });
    // The recorded losses are those of the two whole models, computed independently.
    const blocks = await validationBlocks();
    expect(Math.abs((await lossOf(model, blocks)) - loss.replaced)).toBeLessThan(1e-4);
    expect(Math.abs((await removalLoss(report.removalWindow, blocks)) - loss.removal)).toBeLessThan(
      1e-4,
    );
    model.dispose();
  });

  it("'replaced' keeps the wrecked replacement when asked, and still reports both losses", async () => {
    const { report, model } = await run({ replacement: wreckedFfn.name, keep: 'replaced' });
    expect(report.keep?.kept).toBe('replaced');
    expect(report.keep?.reason).toMatch(/asked for \(keep: replaced\)/);
    expect(report.keep?.validationLoss?.replaced).toBeGreaterThan(
      report.keep?.validationLoss?.removal as number,
    );
    expect(report.window.size).toBe(2);
    model.dispose();
  });
});

describe('decide', () => {
  it('keeps the lower loss with best, the asked one otherwise; a tie keeps the replacement', () => {
    const loss = (replaced: number) => ({ removal: 2, replaced, blocks: 4 });
    expect(decide('best', loss(1.5), 'ffn').kept).toBe('replaced');
    expect(decide('best', loss(2), 'ffn').kept).toBe('replaced');
    expect(decide('best', loss(2.5), 'ffn').kept).toBe('removal');
    expect(decide('removal', loss(1.5), 'ffn').kept).toBe('removal');
    expect(decide('replaced', loss(2.5), 'ffn').kept).toBe('replaced');
    expect(decide('replaced', loss(2.5), 'ffn').advice).toMatch(/lost to plain removal/);
  });
});

describe('training budget', () => {
  it('counts epochs × ⌈training blocks / batch⌉ steps', () => {
    expect(trainingSteps({ trainingBlocks: 128, batchSize: 8, epochs: 4 })).toBe(64);
    expect(trainingSteps({ trainingBlocks: 9, batchSize: 4, epochs: 3 })).toBe(9);
  });

  it('warns below the minimum, not at the defaults or for kinds that are not trained', () => {
    expect(trainingSteps(STREAMLINE_DEFAULTS)).toBeGreaterThanOrEqual(MIN_OPTIMISER_STEPS);
    expect(budgetWarnings(STREAMLINE_DEFAULTS, true)).toEqual([]);
    const few = { trainingBlocks: 16, batchSize: 8, epochs: 2 };
    expect(budgetWarnings(few, true)).toEqual([
      expect.stringMatching(/= 4 optimiser steps, fewer than the 32/),
    ]);
    expect(budgetWarnings(few, false)).toEqual([]);
  });

  it('streamline() warns before any work when the settings give too few steps', async () => {
    const { model, tokenizer } = await loadStories260K();
    const warnings: string[] = [];
    const stop = new AbortController();
    stop.abort(new Error('stopped after the warning'));
    await expect(
      streamline({
        model,
        tokenizer,
        calibrationText,
        ...SMALL,
        epochs: 1,
        signal: stop.signal,
        onWarning: (w) => warnings.push(w),
      }),
    ).rejects.toThrow();
    expect(warnings).toEqual([expect.stringMatching(/= 8 optimiser steps/)]);
    model.dispose();
  });
});
