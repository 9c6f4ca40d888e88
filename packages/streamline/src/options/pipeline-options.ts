/**
 * The pipeline's general options, each declared once: option name, flag, type, range and help.
 * Defaults are STREAMLINE_DEFAULTS' (the one defaults object); the CLI's flags and the web app's
 * form fields are generated from this list. `stage` says which command needs it: `score` takes the
 * scoring options, `prune` all of them.
 */
import type { StreamlineDefaults } from '../pipeline/defaults.js';
import { KEEP_CHOICES } from '../pipeline/options.js';
import type { BooleanOptionSpec, ChoiceOptionSpec, NumberOptionSpec } from './option-spec.js';

/** A general option: a key of the defaults object, and the part of the method it tunes. */
export type PipelineOptionSpec = (
  | Omit<NumberOptionSpec, 'default'>
  | Omit<BooleanOptionSpec, 'default'>
  | Omit<ChoiceOptionSpec, 'default'>
) & {
  readonly name: keyof StreamlineDefaults;
  readonly stage: 'scoring' | 'training' | 'evaluation';
};

export const PIPELINE_OPTIONS: readonly PipelineOptionSpec[] = [
  {
    name: 'excludeLastLayer',
    flag: 'exclude-last-layer',
    type: 'boolean',
    stage: 'scoring',
    label: 'Keep the last layer',
    help: 'never choose a window that ends at the last layer',
    advanced: true,
  },
  {
    name: 'pplBaseline',
    flag: 'ppl-baseline',
    type: 'boolean',
    stage: 'evaluation',
    label: 'Compare the perplexity window',
    help: 'also compare the n-layer window the ppl metric chooses (L − n + 1 evaluations of the scoring blocks)',
    advanced: true,
  },
  {
    name: 'blockLength',
    flag: 'block-length',
    type: 'int',
    min: 2,
    stage: 'scoring',
    label: 'Block length (tokens)',
    help: 'tokens per block',
  },
  {
    name: 'scoringBlocks',
    flag: 'scoring-blocks',
    type: 'int',
    min: 1,
    stage: 'scoring',
    label: 'Scoring blocks',
    help: 'blocks the metric averages over',
  },
  {
    name: 'validationBlocks',
    flag: 'validation-blocks',
    type: 'int',
    min: 0,
    stage: 'scoring',
    label: 'Validation blocks',
    help: 'blocks held out to pick the best epoch (drawn first)',
  },
  {
    name: 'batchSize',
    flag: 'batch',
    type: 'int',
    min: 1,
    stage: 'scoring',
    label: 'Batch size',
    help: 'blocks per forward pass and per optimiser step',
  },
  {
    name: 'seed',
    flag: 'seed',
    type: 'int',
    min: 0,
    stage: 'scoring',
    label: 'Seed',
    help: 'seed of block draws, batch order and initialisation',
    advanced: true,
  },
  {
    name: 'trainingBlocks',
    flag: 'training-blocks',
    type: 'int',
    min: 1,
    stage: 'training',
    label: 'Training blocks',
    help: 'blocks whose (h_j, h_{j+m}) pairs train the replacement',
  },
  {
    name: 'epochs',
    flag: 'epochs',
    type: 'int',
    min: 1,
    stage: 'training',
    label: 'Epochs',
    help: 'passes over the training pairs',
  },
  {
    name: 'lr',
    flag: 'lr',
    type: 'number',
    min: 0,
    exclusiveMin: true,
    stage: 'training',
    label: 'Learning rate',
    help: 'AdamW peak learning rate',
    advanced: true,
  },
  {
    name: 'minLr',
    flag: 'min-lr',
    type: 'number',
    min: 0,
    stage: 'training',
    label: 'Final learning rate',
    help: 'learning rate at the end of the cosine decay',
    advanced: true,
  },
  {
    name: 'weightDecay',
    flag: 'weight-decay',
    type: 'number',
    min: 0,
    stage: 'training',
    label: 'Weight decay',
    help: 'AdamW decoupled weight decay',
    advanced: true,
  },
  {
    name: 'clipNorm',
    flag: 'clip',
    type: 'number',
    min: 0,
    exclusiveMin: true,
    stage: 'training',
    label: 'Gradient clipping',
    help: 'global gradient-norm clipping',
    advanced: true,
  },
  {
    name: 'warmupFraction',
    flag: 'warmup-fraction',
    type: 'number',
    min: 0,
    max: 1,
    stage: 'training',
    label: 'Warm-up fraction',
    help: 'share of the steps spent warming up',
    advanced: true,
  },
  {
    name: 'microBatches',
    flag: 'micro-batches',
    type: 'int',
    min: 1,
    stage: 'training',
    label: 'Micro-batches',
    help: 'split each batch into N accumulated micro-batches (less GPU memory)',
    advanced: true,
  },
  {
    name: 'finetuneEpochs',
    flag: 'finetune-epochs',
    type: 'int',
    min: 0,
    stage: 'training',
    label: 'Fine-tuning epochs',
    help: 'optional second stage: epochs on the language-model loss of the whole pruned model (slow)',
    advanced: true,
  },
  {
    name: 'finetuneLr',
    flag: 'finetune-lr',
    type: 'number',
    min: 0,
    exclusiveMin: true,
    stage: 'training',
    label: 'Fine-tuning learning rate',
    help: 'peak learning rate of the second stage',
    advanced: true,
  },
  {
    name: 'keep',
    flag: 'keep',
    type: 'choice',
    choices: KEEP_CHOICES,
    stage: 'training',
    label: 'Model to keep',
    help: 'best: the replaced model or plain removal, whichever has the lower validation loss; or always replaced, or always removal',
  },
  {
    name: 'evaluationBlocks',
    flag: 'eval-blocks',
    type: 'int',
    min: 1,
    stage: 'evaluation',
    label: 'Evaluation blocks',
    help: 'evaluate on at most N blocks of the evaluation text, spread evenly over it',
  },
];
