/**
 * streamline() end to end on stories260K with n = 1 and tiny settings, for every replacement kind:
 * the report is filled in, the chosen window is the one the scores single out, the exported
 * checkpoint reloads and reproduces the in-memory pruned model's logits, and streamline.json is the
 * last file written. Runs in Node and in Chromium alike.
 */
import {
  type LlamaForCausalLM,
  loadHfModel,
  MemorySink,
  memoryModelDirectory,
  packBlocks,
  perplexity,
  type Tokenizer,
} from '@llm-streamline/llm';
import { readFixture } from '@llm-streamline/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FfnBlock,
  LinearBlock,
  type ProgressEvent,
  type StreamlineOptions,
  type StreamlineReport,
  saveStreamlined,
  streamline,
} from '../src/index.js';
import { loadStories260K, logitsOf, maxAbsDiff, storiesParagraphs } from './helpers.js';
import { schemaErrors } from './schema-check.js';

let calibrationText: string;
let evaluationText: string;
let tokenizerModel: Uint8Array;
let probe: number[][];

beforeAll(async () => {
  calibrationText = await storiesParagraphs(0, 40);
  evaluationText = await storiesParagraphs(300, 4);
  tokenizerModel = await readFixture('stories260K/tok512.model');
  const { tokenizer, model } = await loadStories260K();
  model.dispose();
  const ids = tokenizer.encode(await storiesParagraphs(500, 2), { bos: true, eos: false });
  probe = [ids.slice(0, 32), ids.slice(32, 64)];
});

/**
 * Tiny settings: 64-token blocks, 4 for scoring, 8 for training (2 batches), 2 for validation, 1 epoch
 * (2 optimiser steps: each run warns that the budget is below the minimum).
 */
const TINY = {
  blockLength: 64,
  scoringBlocks: 4,
  trainingBlocks: 8,
  validationBlocks: 2,
  batchSize: 4,
  epochs: 1,
  lr: 1e-3,
  // These tests are about the replacement's own stages: keep it whatever the keep comparison says.
  keep: 'replaced',
} as const;

async function run(extra: Partial<StreamlineOptions>): Promise<{
  report: StreamlineReport;
  model: LlamaForCausalLM;
  tokenizer: Tokenizer;
  events: ProgressEvent[];
}> {
  const { model, tokenizer, source, format } = await loadStories260K();
  const events: ProgressEvent[] = [];
  const { report, model: pruned } = await streamline({
    model,
    tokenizer,
    modelSource: source,
    modelFormat: format,
    calibrationText,
    calibrationSource: 'stories paragraphs 0–39',
    target: { layers: 1 },
    ...TINY,
    onProgress: (e) => events.push(e),
    ...extra,
  });
  expect(pruned).toBe(model);
  return { report, model, tokenizer, events };
}

function argBest(scores: readonly number[], higher: boolean): number {
  let best = 0;
  scores.forEach((s, j) => {
    if (higher ? s > (scores[best] as number) : s < (scores[best] as number)) best = j;
  });
  return best;
}

/** Saves to memory; checks the file order and that streamline.json is the report. */
async function save(
  result: { report: StreamlineReport; model: LlamaForCausalLM },
  expectCheckpoint: boolean,
): Promise<MemorySink> {
  const sink = new MemorySink();
  const { checkpoint } = await saveStreamlined(result, sink, {
    extraFiles: new Map([['tokenizer.model', tokenizerModel]]),
  });
  expect(checkpoint).toBe(expectCheckpoint);
  const names = [...sink.files.keys()];
  expect(names.at(-1)).toBe('streamline.json');
  expect(names).toEqual(
    expectCheckpoint
      ? ['config.json', 'model.safetensors', 'tokenizer.model', 'streamline.json']
      : ['tokenizer.model', 'streamline.json'],
  );
  const written = JSON.parse(new TextDecoder().decode(sink.files.get('streamline.json')));
  expect(written).toEqual(JSON.parse(JSON.stringify(result.report)));
  expect(schemaErrors(written)).toEqual([]);
  expect(written.secondsPerStage.export).toBeGreaterThanOrEqual(0);
  return sink;
}

/** The saved checkpoint, reloaded, gives the in-memory pruned model's logits. */
async function expectReloadsExactly(sink: MemorySink, model: LlamaForCausalLM): Promise<void> {
  const reloaded = await loadHfModel(memoryModelDirectory(Object.fromEntries(sink.files)));
  try {
    expect(reloaded.model.layers.length).toBe(model.layers.length);
    expect(
      maxAbsDiff(await logitsOf(reloaded.model, probe), await logitsOf(model, probe)),
    ).toBeLessThan(1e-6);
  } finally {
    reloaded.model.dispose();
  }
}

function expectWindowsMatchScores(report: StreamlineReport, m: number): void {
  const scores = report.scores[String(m)] as number[];
  expect(scores).toHaveLength(5 - m + 1);
  expect(report.window.size).toBe(m);
  expect(report.window.start).toBe(argBest(scores, report.metric.higherIsRedundant));
  expect(report.window.score).toBe(scores[report.window.start]);
  const removal = report.scores['1'] as number[];
  expect(report.removalWindow).toEqual({
    start: argBest(removal, report.metric.higherIsRedundant),
    size: 1,
    score: removal[report.removalWindow.start],
  });
}

describe('streamline end to end on stories260K (n = 1)', () => {
  it('ffn: report, window, training, evaluation, export and reload', async () => {
    const { report, model, tokenizer, events } = await run({
      replacement: 'ffn',
      evaluationText,
      evaluationSource: 'stories paragraphs 300–303',
    });
    expect(report.version).toBe(3);
    expect(report.model).toEqual({
      source: 'stories260K.bin',
      format: 'llama2c',
      layers: 5,
      parameters: 260032,
    });
    expect(report.calibration).toEqual({
      source: 'stories paragraphs 0–39',
      blockLength: 64,
      scoringBlocks: 4,
      trainingBlocks: 8,
      validationBlocks: 2,
    });
    expect(report.metric).toMatchObject({ name: 'cosine', higherIsRedundant: true });
    // Every size 1…L−1 is scored in the same pass (the heat map).
    expect(Object.keys(report.scores).sort()).toEqual(['1', '2', '3', '4']);
    for (const v of Object.values(report.scores).flat()) {
      expect(v).toBeGreaterThan(0);
      expect(v).toBeLessThanOrEqual(1 + 1e-6);
    }
    expect(report.layersRemoved).toBe(1);
    expectWindowsMatchScores(report, 2);
    expect(report.replacement).toMatchObject({
      kind: 'ffn',
      parameters: 64 + 3 * 64 * 172,
      options: { init: 'layer' },
      export: { as: 'llama-layer' },
    });
    // Keyed by their flags, as users write them.
    expect(report.hyperparameters).toMatchObject({
      batch: 4,
      epochs: 1,
      lr: 1e-3,
      'exclude-last-layer': false,
    });
    expect(report.version).toBe(3);
    expect(report.provenance.tool).toBe('@llm-streamline/streamline');
    expect(Date.parse(report.provenance.createdAt)).toBeGreaterThan(Date.parse('2026-01-01'));
    // The window's m layers left; the replacement sits where the window began.
    expect(report.removedLayers).toEqual(
      Array.from({ length: report.window.size }, (_, k) => report.window.start + k),
    );
    expect(report.replacementLayer).toBe(report.window.start);
    expect(report.seed).toBe(0);
    const training = report.training as NonNullable<StreamlineReport['training']>;
    expect(training.stepLoss).toHaveLength(2);
    expect(training.epochLoss).toHaveLength(1);
    expect(training.validationLoss).toHaveLength(2);
    expect(training.stopped).toBeUndefined();
    const ppl = report.perplexity as NonNullable<StreamlineReport['perplexity']>;
    expect(ppl.source).toBe('stories paragraphs 300–303');
    expect(ppl.blocks).toBeGreaterThan(0);
    for (const v of [ppl.original, ppl.none, ppl.replaced]) expect(v).toBeGreaterThan(1);
    expect(ppl.none).toBeGreaterThan(ppl.original as number);
    // The shared-prefix evaluation equals perplexity() of the pruned model on its own.
    const blocks = packBlocks(evaluationText, tokenizer, 64);
    expect(ppl.blocks).toBe(blocks.length);
    expect((await perplexity(model, blocks)).perplexity).toBeCloseTo(ppl.replaced as number, 4);
    expect(Object.keys(report.secondsPerStage).sort()).toEqual([
      'calibration',
      'evaluation',
      'pairs',
      'scoring',
      'training',
    ]);
    // The model is pruned: the window's two layers became one FFN block.
    expect(model.layers.length).toBe(4);
    expect(model.layers.at(report.window.start)).toBeInstanceOf(FfnBlock);
    expect(report.result).toEqual({ layers: 4, parameters: model.parameterCount() });
    expect(report.result.parameters).toBe(
      260032 - 2 * (2 * 64 + 64 * 64 * 2 + 64 * 32 * 2 + 3 * 64 * 172) + 64 + 3 * 64 * 172,
    );
    // Progress: stages in order, done within total, training with losses.
    const stages = [...new Set(events.map((e) => e.stage))];
    expect(stages).toEqual(['scoring', 'pairs', 'training', 'evaluation']);
    for (const e of events) expect(e.done).toBeLessThanOrEqual(e.total);
    expect(events.filter((e) => e.stage === 'training' && e.loss !== undefined)).toHaveLength(2);
    expect(events.some((e) => e.stage === 'training' && e.validationLoss !== undefined)).toBe(true);

    const sink = await save({ report, model }, true);
    expect(Object.keys(report.secondsPerStage)).toContain('export');
    await expectReloadsExactly(sink, model);
    model.dispose();
  });

  it('layer: one decoder layer in place of two, exported and reloaded exactly', async () => {
    const { report, model } = await run({ replacement: 'layer', metric: 'angular' });
    expect(report.metric).toMatchObject({ name: 'angular', higherIsRedundant: false });
    expectWindowsMatchScores(report, 2);
    expect(report.replacement.kind).toBe('layer');
    expect(report.replacement.parameters).toBe(model.layers.at(0).parameterCount());
    expect(report.training?.stepLoss).toHaveLength(2);
    expect(report.perplexity).toBeUndefined();
    expect(model.layers.length).toBe(4);
    await expectReloadsExactly(await save({ report, model }, true), model);
    model.dispose();
  });

  it('none: the single most redundant layer removed, no training', async () => {
    const { report, model, events } = await run({ replacement: 'none', excludeLastLayer: true });
    expect(Object.keys(report.scores)).toEqual(['1', '2', '3', '4']);
    expectWindowsMatchScores(report, 1);
    expect(report.window).toEqual(report.removalWindow);
    expect(report.window.start + report.window.size).toBeLessThan(5);
    expect(report.hyperparameters['exclude-last-layer']).toBe(true);
    expect(report.replacement).toMatchObject({
      kind: 'none',
      parameters: 0,
      options: {},
      export: { as: 'removed' },
    });
    expect(report.calibration.trainingBlocks).toBe(0);
    expect(report.calibration.validationBlocks).toBe(0);
    expect(report.training).toBeUndefined();
    expect([...new Set(events.map((e) => e.stage))]).toEqual(['scoring']);
    expect(model.layers.length).toBe(4);
    await expectReloadsExactly(await save({ report, model }, true), model);
    model.dispose();
  });

  it('linear: fitted in closed form, recorded but not exported', async () => {
    const { report, model } = await run({ replacement: 'linear' });
    expectWindowsMatchScores(report, 2);
    expect(report.replacement.kind).toBe('linear');
    expect(report.replacement.parameters).toBe(64 * 64 + 64);
    expect(report.replacement.export).toMatchObject({
      as: 'not-exportable',
      reason: expect.stringMatching(/^a general affine map/),
    });
    expect(report.training).toBeUndefined();
    // Not needed for the fit, but drawn for the comparison with plain removal (keep).
    expect(report.calibration.validationBlocks).toBe(2);
    expect(report.keep).toMatchObject({ mode: 'replaced', kept: 'replaced' });
    expect(report.keep?.validationLoss?.blocks).toBe(2);
    expect(model.layers.at(report.window.start)).toBeInstanceOf(LinearBlock);
    await save({ report, model }, false);
    model.dispose();
  });
});
