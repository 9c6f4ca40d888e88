/**
 * The training budget in optimiser steps, and the warning a run gets before any work when its
 * settings give fewer than MIN_OPTIMISER_STEPS. One step per batch of training blocks (micro-batches
 * accumulate into that one step), so steps = epochs × ⌈trainingBlocks / batchSize⌉.
 */
import { MIN_OPTIMISER_STEPS } from './defaults.js';

/** The settings the budget depends on. */
export interface BudgetSettings {
  trainingBlocks: number;
  batchSize: number;
  epochs: number;
}

/** Optimiser steps of the MSE training stage: epochs × ⌈trainingBlocks / batchSize⌉. */
export function trainingSteps({ trainingBlocks, batchSize, epochs }: BudgetSettings): number {
  return epochs * Math.ceil(trainingBlocks / batchSize);
}

/**
 * The warnings about a trained kind's settings, one line each; empty at STREAMLINE_DEFAULTS and the
 * web preset. Kinds that are not trained (none, linear) have no budget and get none.
 */
export function budgetWarnings(settings: BudgetSettings, trained: boolean): string[] {
  if (!trained) return [];
  const steps = trainingSteps(settings);
  if (steps >= MIN_OPTIMISER_STEPS) return [];
  const { epochs, trainingBlocks, batchSize } = settings;
  return [
    `training budget: ${epochs} epoch(s) × ⌈${trainingBlocks} training blocks / batch ${batchSize}⌉ = ` +
      `${steps} optimiser steps, fewer than the ${MIN_OPTIMISER_STEPS} the defaults guarantee; ` +
      'the replacement may lose to plain removal. Raise --epochs or --training-blocks, or lower --batch.',
  ];
}
