import type { KeepChoice, StreamlineOptions } from './options.js';

/**
 * The one defaults object: what `streamline()` uses for an option left undefined, what `--help`
 * shows, and what the web app's preset starts from. Sized for small models on a CPU adapter, so the
 * whole `ffn` run on the bundled 12-layer model fits in minutes on two CPU cores. Half the data of
 * the paper-scale settings the fidelity experiment uses (64 scoring, 256 training, 16 validation
 * blocks, every evaluation block): the chosen window is the same and the replacement lands within a
 * few percent (see packages/streamline/README.md, "Defaults and time").
 *
 * Training budget: epochs × ⌈trainingBlocks / batchSize⌉ optimiser steps, 4 × ⌈128 / 8⌉ = 64 here,
 * at least MIN_OPTIMISER_STEPS (32) — see trainingSteps() and budgetWarnings().
 * `keep: 'best'` exports whichever of the replaced model and plain removal has the lower
 * language-model loss on the validation blocks (see stages/keep-better.ts).
 */
export const STREAMLINE_DEFAULTS = {
  metric: 'cosine',
  replacement: 'ffn',
  excludeLastLayer: false,
  blockLength: 256,
  scoringBlocks: 32,
  trainingBlocks: 128,
  validationBlocks: 8,
  evaluationBlocks: 32,
  batchSize: 8,
  microBatches: 1,
  epochs: 4,
  lr: 1e-3,
  minLr: 1e-4,
  weightDecay: 1e-3,
  clipNorm: 1,
  warmupFraction: 0.05,
  finetuneEpochs: 0,
  finetuneLr: 1e-4,
  pplBaseline: false,
  seed: 0,
  keep: 'best',
} as const;

/**
 * The fewest optimiser steps a trained replacement should get: 32. By then the MSE training has
 * flattened on stories260K (the web preset's validation MSE moves by 1% in its fourth epoch, by 4%
 * in the second), while the issue-16 browser run trained 4 steps and exported a model worse than
 * plain removal. STREAMLINE_DEFAULTS give 64 (4 × ⌈128 / 8⌉), the web preset 32 (4 × ⌈64 / 8⌉); a
 * setting that gives fewer gets a warning before the run (budgetWarnings()). The budget does not
 * promise that the replacement wins: `keep: 'best'` is what never exports one that loses to plain
 * removal on validation (README, "Training budget", has the figures).
 */
export const MIN_OPTIMISER_STEPS = 32;

/**
 * The defaulted options, by name, with their general types (a preset may set any value; `keep` only
 * one of its choices).
 */
export type StreamlineDefaults = {
  -readonly [K in keyof typeof STREAMLINE_DEFAULTS]: K extends 'keep'
    ? KeepChoice
    : (typeof STREAMLINE_DEFAULTS)[K] extends string
      ? string
      : (typeof STREAMLINE_DEFAULTS)[K] extends boolean
        ? boolean
        : number;
};

/** Options with every default filled in: what the stages read. */
export type ResolvedOptions = StreamlineOptions & StreamlineDefaults;

/**
 * The default removal target, n = a quarter of the layers (at least one): the paper's main setting
 * prunes about 25% of the parameters, and a decoder layer holds nearly all of them.
 */
export function defaultTarget(numLayers: number): { layers: number } {
  return { layers: Math.max(1, Math.round(numLayers / 4)) };
}

/** `options` over STREAMLINE_DEFAULTS; keys whose value is undefined keep the default. */
export function withDefaults<T extends Partial<StreamlineOptions>>(
  options: T,
): T & StreamlineDefaults {
  const defined = Object.entries(options).filter(([, v]) => v !== undefined);
  return { ...STREAMLINE_DEFAULTS, ...Object.fromEntries(defined) } as T & StreamlineDefaults;
}
