/**
 * The flags shared by `score` and `prune` that map onto StreamlineOptions, with their help text,
 * and reading them into options. Defaults shown in help are the pipeline's own
 * (STREAMLINE_DEFAULTS), which the pipeline applies to whatever is left undefined.
 */
import { METRICS, REPLACEMENTS, STREAMLINE_DEFAULTS } from '@llm-streamline/streamline';
import type { ParsedArgs } from './parse.js';
import type { FlagSpecs } from './spec.js';
import { boolFlag, enumFlag, intFlag, numberFlag, removalTarget, stringFlag } from './values.js';

const d = STREAMLINE_DEFAULTS as Readonly<Record<string, unknown>>;
/** A STREAMLINE_DEFAULTS value as the help text shows it. */
export const shown = (key: string): string | undefined =>
  d[key] === undefined ? undefined : String(d[key]);

/** Choices are read from the registries, so a metric or replacement added there appears here. */
export const METRIC_NAMES = [...METRICS.keys()];
export const REPLACEMENT_NAMES = [...REPLACEMENTS.keys()];

/** Flags of the scoring half of the method (both `score` and `prune`). */
export const SCORING_FLAGS: FlagSpecs = {
  data: {
    type: 'string',
    value: 'TEXT',
    description: 'calibration text file (documents separated by blank lines)',
    default: 'the bundled TinyStories calibration text',
  },
  layers: {
    type: 'string',
    value: 'n',
    description: 'layers to remove (net); default a quarter of the layers',
  },
  ratio: {
    type: 'string',
    value: 'r',
    description: 'or: the fraction of parameters to remove, 0 < r < 1 (whole layers)',
  },
  metric: {
    type: 'string',
    value: 'NAME',
    description: `window importance metric: ${METRIC_NAMES.join('|')}`,
    default: shown('metric'),
  },
  replace: {
    type: 'string',
    value: 'KIND',
    description: `replacement: ${REPLACEMENT_NAMES.join('|')} (window of n+1 layers; n for none)`,
  },
  'exclude-last-layer': {
    type: 'boolean',
    description: 'never choose a window that ends at the last layer',
  },
  'block-length': {
    type: 'string',
    value: 'N',
    description: 'tokens per block',
    default: shown('blockLength'),
  },
  'scoring-blocks': {
    type: 'string',
    value: 'N',
    description: 'blocks the metric averages over',
    default: shown('scoringBlocks'),
  },
  'validation-blocks': {
    type: 'string',
    value: 'N',
    description: 'blocks held out to pick the best epoch (drawn first)',
    default: shown('validationBlocks'),
  },
  batch: {
    type: 'string',
    value: 'N',
    description: 'blocks per forward pass and per optimiser step',
    default: shown('batchSize'),
  },
  seed: {
    type: 'string',
    value: 'N',
    description: 'seed of block draws, batch order and initialisation',
    default: shown('seed'),
  },
  tokenizer: {
    type: 'string',
    value: 'PATH',
    description: 'tokenizer file or folder, for models without one beside them',
  },
};

/** The options both commands read from SCORING_FLAGS (undefined: the pipeline default). */
export function scoringOptions(values: ParsedArgs['values']) {
  return {
    target: removalTarget(values),
    metric: enumFlag(values, 'metric', METRIC_NAMES),
    replacement: enumFlag(values, 'replace', REPLACEMENT_NAMES),
    excludeLastLayer: boolFlag(values, 'exclude-last-layer') || undefined,
    blockLength: intFlag(values, 'block-length', { min: 2 }),
    scoringBlocks: intFlag(values, 'scoring-blocks', { min: 1 }),
    validationBlocks: intFlag(values, 'validation-blocks', { min: 0 }),
    batchSize: intFlag(values, 'batch', { min: 1 }),
    seed: intFlag(values, 'seed', { min: 0 }),
    dataPath: stringFlag(values, 'data'),
    tokenizerPath: stringFlag(values, 'tokenizer'),
  };
}

/** Flags of the fitting half (`prune` only). */
export const TRAINING_FLAGS: FlagSpecs = {
  'training-blocks': {
    type: 'string',
    value: 'N',
    description: 'blocks whose (h_j, h_{j+m}) pairs train the replacement',
    default: shown('trainingBlocks'),
  },
  epochs: {
    type: 'string',
    value: 'N',
    description: 'passes over the training pairs',
    default: shown('epochs'),
  },
  lr: { type: 'string', value: 'x', description: 'AdamW peak learning rate', default: shown('lr') },
  'min-lr': {
    type: 'string',
    value: 'x',
    description: 'learning rate at the end of the cosine decay',
    default: shown('minLr'),
  },
  'weight-decay': {
    type: 'string',
    value: 'x',
    description: 'AdamW decoupled weight decay',
    default: shown('weightDecay'),
  },
  clip: {
    type: 'string',
    value: 'x',
    description: 'global gradient-norm clipping',
    default: shown('clipNorm'),
  },
  'warmup-fraction': {
    type: 'string',
    value: 'x',
    description: 'share of the steps spent warming up',
    default: shown('warmupFraction'),
  },
  'micro-batches': {
    type: 'string',
    value: 'N',
    description: 'split each batch into N accumulated micro-batches (less GPU memory)',
    default: shown('microBatches'),
  },
  'ffn-hidden': {
    type: 'string',
    value: 'N',
    description: "ffn replacement's hidden size (only the model's intermediate size can be saved)",
  },
  'finetune-epochs': {
    type: 'string',
    value: 'N',
    description:
      'optional second stage: epochs on the language-model loss of the whole pruned model (slow)',
    default: shown('finetuneEpochs'),
  },
  'finetune-lr': {
    type: 'string',
    value: 'x',
    description: 'peak learning rate of the second stage',
    default: shown('finetuneLr'),
  },
};

/** Training options from TRAINING_FLAGS. */
export function trainingOptions(values: ParsedArgs['values']) {
  return {
    trainingBlocks: intFlag(values, 'training-blocks', { min: 1 }),
    epochs: intFlag(values, 'epochs', { min: 1 }),
    lr: numberFlag(values, 'lr', { min: 0, exclusiveMin: true }),
    minLr: numberFlag(values, 'min-lr', { min: 0 }),
    weightDecay: numberFlag(values, 'weight-decay', { min: 0 }),
    clipNorm: numberFlag(values, 'clip', { min: 0, exclusiveMin: true }),
    warmupFraction: numberFlag(values, 'warmup-fraction', { min: 0, max: 1 }),
    microBatches: intFlag(values, 'micro-batches', { min: 1 }),
    ffnHidden: intFlag(values, 'ffn-hidden', { min: 1 }),
    finetuneEpochs: intFlag(values, 'finetune-epochs', { min: 0 }),
    finetuneLr: numberFlag(values, 'finetune-lr', { min: 0, exclusiveMin: true }),
  };
}
