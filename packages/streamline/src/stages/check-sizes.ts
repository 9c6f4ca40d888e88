import type { StreamlineDefaults } from '../pipeline/defaults.js';
import type { ReplacementKind } from '../replacements/index.js';

/**
 * Block counts and batch sizes must be whole numbers a run can use; checked before any work. What a
 * kind needs depends on how it is fitted: training blocks for any fitted kind, validation blocks,
 * micro-batches and epochs for a trained one.
 */
export function checkSizes(o: StreamlineDefaults, fit: ReplacementKind['fit']): void {
  const atLeast = (name: keyof StreamlineDefaults, min: number, why = '') => {
    const v = o[name] as number;
    if (!Number.isInteger(v) || v < min)
      throw new RangeError(`${name} must be an integer of at least ${min}${why}, got ${v}`);
  };
  atLeast('blockLength', 2);
  atLeast('scoringBlocks', 1);
  atLeast('batchSize', 1);
  if (o.evaluationBlocks !== Number.POSITIVE_INFINITY) atLeast('evaluationBlocks', 1);
  if (fit !== 'none') atLeast('trainingBlocks', 1, ' for a replacement that is fitted');
  if (fit === 'train') {
    atLeast(
      'validationBlocks',
      1,
      ' for a trained replacement (validation picks the epoch to keep)',
    );
    atLeast('microBatches', 1);
    atLeast('epochs', 1);
  }
}
