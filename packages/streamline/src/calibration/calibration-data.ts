import { packBlocks, type Tokenizer } from '@llm-streamline/llm';
import { seededRandom, shuffled } from './seeded-random.js';

/** Token blocks for each use, drawn without overlap from the calibration text. */
export interface CalibrationSplits {
  /** Blocks the layer-importance metric is averaged over. */
  scoring: number[][];
  /** Blocks whose (h_j, h_{j+m}) pairs train the replacement. */
  training: number[][];
  /** Blocks whose pairs measure validation loss after each epoch (best epoch kept). */
  validation: number[][];
}

export interface CalibrationOptions {
  /** Tokens per block. */
  blockLength: number;
  scoringBlocks: number;
  trainingBlocks: number;
  validationBlocks: number;
  seed: number;
  /** Name of the text for error messages (a file name). */
  source?: string;
}

/**
 * Step 1 of the method: calibration text → packed token blocks (see `packBlocks` in the llm
 * package: documents split on blank lines, each [BOS] + ids, concatenated, cut into blocks), then
 * a seeded shuffle and three disjoint draws. Scoring and training may not share blocks with
 * validation, so the kept "best epoch" is chosen on unseen data.
 */
export function prepareCalibration(
  text: string,
  tokenizer: Tokenizer,
  options: CalibrationOptions,
): CalibrationSplits {
  const {
    blockLength,
    scoringBlocks,
    trainingBlocks,
    validationBlocks,
    seed,
    source = 'calibration text',
  } = options;
  if (text.trim().length === 0) throw new Error(`${source}: the calibration text is empty`);
  const blocks = packBlocks(text, tokenizer, blockLength);
  // Scoring may reuse training blocks (both only read the frozen model); validation must be separate.
  const needed = Math.max(scoringBlocks, trainingBlocks) + validationBlocks;
  if (blocks.length < Math.max(needed, 1)) {
    throw new Error(
      `${source}: too short — it gives ${blocks.length} blocks of ${blockLength} tokens, but ${needed} are needed ` +
        `(${Math.max(scoringBlocks, trainingBlocks)} for scoring/training + ${validationBlocks} for validation). ` +
        'Use more text, shorter blocks or fewer blocks.',
    );
  }
  const order = shuffled(blocks, seededRandom(seed));
  const validation = order.slice(0, validationBlocks);
  const rest = order.slice(validationBlocks);
  return {
    scoring: rest.slice(0, scoringBlocks),
    training: rest.slice(0, trainingBlocks),
    validation,
  };
}
