/**
 * The optional second stage: the replacement trained on the language-model loss of the whole
 * pruned model. Reference: perplexity() of pruned models (the llm package's evaluation, computed
 * independently of the training code) on the same validation blocks.
 */
import { perplexity } from '@llm-streamline/llm';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareCalibration, type StreamlineOptions, streamline } from '../src/index.js';
import { loadStories260K, storiesParagraphs } from './helpers.js';

const SETTINGS = {
  blockLength: 64,
  scoringBlocks: 4,
  trainingBlocks: 8,
  validationBlocks: 4,
  batchSize: 4,
  epochs: 1,
  lr: 1e-3,
  seed: 3,
  target: { layers: 1 },
  replacement: 'ffn',
  // These tests are about the replacement's own stages: keep it whatever the keep comparison says.
  keep: 'replaced',
} as const satisfies Partial<StreamlineOptions>;

let calibrationText: string;

beforeAll(async () => {
  calibrationText = await storiesParagraphs(0, 40);
});

/** A pruned stories260K and the mean NLL of it on the run's validation blocks. */
async function prune(extra: Partial<StreamlineOptions>) {
  const { model, tokenizer } = await loadStories260K();
  const { report } = await streamline({ model, tokenizer, calibrationText, ...SETTINGS, ...extra });
  const { validation } = prepareCalibration(calibrationText, tokenizer, {
    ...SETTINGS,
    source: 'calibration',
  });
  const nll = (await perplexity(model, validation, { batchSize: 4 })).meanNll;
  model.dispose();
  return { report, nll };
}

describe('second stage: language-model loss of the pruned model', () => {
  it('starts from the MSE-trained model, records its validation loss, and lowers it', async () => {
    const mseOnly = await prune({});
    const tuned = await prune({ finetuneEpochs: 2, finetuneLr: 1e-3 });
    expect(mseOnly.report.finetune).toBeUndefined();
    const finetune = tuned.report.finetune as NonNullable<typeof tuned.report.finetune>;
    expect(finetune.stepLoss).toHaveLength(2 * 2);
    expect(finetune.validationLoss).toHaveLength(3);
    // Before the second stage, the validation loss is the NLL of the MSE-trained pruned model …
    expect(finetune.validationLoss[0]).toBeCloseTo(mseOnly.nll, 3);
    // … after it, that of the pruned model as returned (the best epoch's parameters) …
    expect(finetune.validationLoss[finetune.bestEpoch]).toBeCloseTo(tuned.nll, 3);
    // … and training on the language-model loss lowered it.
    expect(finetune.bestEpoch).toBeGreaterThan(0);
    expect(tuned.nll).toBeLessThan(mseOnly.nll);
    // The MSE stage itself is unchanged by the second stage (same seeds, same data).
    expect(tuned.report.training).toEqual(mseOnly.report.training);
    expect(tuned.report.hyperparameters).toMatchObject({
      'finetune-epochs': 2,
      'finetune-lr': 1e-3,
    });
    expect(Object.keys(tuned.report.secondsPerStage)).toContain('finetune');
  });
});
