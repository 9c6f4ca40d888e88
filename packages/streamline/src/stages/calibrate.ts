/**
 * Step 1 of the method: calibration text → token blocks, drawn without overlap for scoring,
 * training and validation (the kind decides which it needs), and the evaluation text packed into
 * the blocks step 6 scores. Packed now, so an evaluation text too short for one block fails before
 * any work, not after training.
 */
import { packBlocks } from '@llm-streamline/llm';
import { type CalibrationSplits, prepareCalibration } from '../calibration/calibration-data.js';
import type { ResolvedOptions } from '../pipeline/defaults.js';
import { spreadBlocks } from '../pipeline/evaluate-variants.js';
import type { ReplacementKind } from '../replacements/index.js';
import type { RunClock } from './run-clock.js';

export interface Calibration {
  splits: CalibrationSplits;
  /** Absent when there is no evaluation text. */
  evaluationBlocks?: number[][];
}

export function calibrate(
  o: ResolvedOptions,
  kind: ReplacementKind,
  clock: RunClock,
): Promise<Calibration> {
  return clock.timed('calibration', async () => {
    const splits = prepareCalibration(o.calibrationText, o.tokenizer, {
      blockLength: o.blockLength,
      scoringBlocks: o.scoringBlocks,
      trainingBlocks: kind.fit === 'none' ? 0 : o.trainingBlocks,
      // Trained kinds pick their best epoch on validation; a closed-form kind draws them only for
      // the keep comparison (keep-better.ts).
      validationBlocks: kind.fit === 'none' ? 0 : o.validationBlocks,
      seed: o.seed,
      source: o.calibrationSource,
    });
    const evaluationBlocks =
      o.evaluationText === undefined
        ? undefined
        : spreadBlocks(
            packBlocks(o.evaluationText, o.tokenizer, o.blockLength),
            o.evaluationBlocks,
          );
    if (evaluationBlocks?.length === 0) {
      throw new Error(
        `${o.evaluationSource ?? 'evaluation text'}: too short — it gives no block of ${o.blockLength} tokens. Use more text or shorter blocks.`,
      );
    }
    return { splits, evaluationBlocks };
  });
}
