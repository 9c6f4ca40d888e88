import type { StreamlineOptions } from './options.js';

/**
 * The one defaults object: what `streamline()` uses for an option left undefined, what `--help`
 * shows, and what the web app's preset starts from. Sized for small models on a CPU adapter, so the
 * whole `ffn` run on the bundled 12-layer model fits in minutes on two CPU cores. Half the data of
 * the paper-scale settings the fidelity experiment uses (64 scoring, 256 training, 16 validation
 * blocks, every evaluation block): the chosen window is the same and the replacement lands within a
 * few percent (see packages/streamline/README.md, "Defaults and time").
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
} as const;

/** The defaulted options, by name, with their general types (a preset may set any value). */
export type StreamlineDefaults = {
  -readonly [K in keyof typeof STREAMLINE_DEFAULTS]: (typeof STREAMLINE_DEFAULTS)[K] extends string
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
