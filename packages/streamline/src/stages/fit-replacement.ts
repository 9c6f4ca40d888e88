/**
 * Steps 4–5 of the method: build the replacement for window j…j+m−1 and fit it alone, on pairs
 * (h_j, h_{j+m}) computed by the frozen layers before and inside the window: trained with MSE
 * (then optionally on the language-model loss of the whole pruned model), or solved in closed
 * form. The model is not changed; on failure the replacement is freed.
 */
import type { Module } from '@llm-streamline/autograd';
import type { DecoderBlock } from '@llm-streamline/llm';
import type { CalibrationSplits } from '../calibration/calibration-data.js';
import type { WindowChoice } from '../metrics/select-window.js';
import type { ResolvedOptions } from '../pipeline/defaults.js';
import type { StreamlineReport } from '../pipeline/report.js';
import { lmObjective } from '../training/lm-objective.js';
import type { TrainingObjective } from '../training/objective.js';
import { MemoryPairStorage, type PairSource, StoredPairs } from '../training/pairs.js';
import { trainReplacement } from '../training/train-replacement.js';
import type { RemovalPlan } from './plan-removal.js';
import type { RunClock } from './run-clock.js';

export interface FittedReplacement {
  /** Undefined for plain removal. */
  replacement?: DecoderBlock;
  training?: StreamlineReport['training'];
  finetune?: StreamlineReport['finetune'];
}

export async function fitReplacement(
  o: ResolvedOptions,
  plan: RemovalPlan,
  window: WindowChoice,
  splits: CalibrationSplits,
  clock: RunClock,
): Promise<FittedReplacement> {
  const { model, signal } = o;
  const { kind, m } = plan;
  const replacement = kind.create(
    { model, start: window.start, size: m, seed: o.seed },
    plan.kindOptions,
  );
  if (!replacement || kind.fit === 'none') return { replacement };
  const sources: PairSource[] = [];
  // (h_j, h_{j+m}) for every token of `blocks`, kept for the epochs (in memory or a file).
  const pairsOf = async (blocks: number[][], what: string) => {
    const pairs = await clock.timed('pairs', async () =>
      StoredPairs.create(
        model,
        blocks,
        o.batchSize,
        window.start,
        m,
        await (o.pairStorage?.() ?? new MemoryPairStorage()),
        { signal, onProgress: clock.progress('pairs', what) },
      ),
    );
    sources.push(pairs);
    return pairs;
  };
  try {
    const trainPairs = await pairsOf(splits.training, 'training pairs');
    if (kind.fit === 'closed-form') {
      await clock.timed(
        'training',
        () => kind.fitClosedForm?.(replacement, trainPairs, signal) ?? Promise.resolve(),
      );
      return { replacement };
    }
    const validationPairs = await pairsOf(splits.validation, 'validation pairs');
    const train = (
      stage: 'training' | 'finetune',
      epochs: number,
      lr: number,
      objective?: TrainingObjective,
    ) =>
      clock.timed(stage, () =>
        trainReplacement(model, replacement, trainPairs, validationPairs, {
          epochs,
          lr,
          minLr: stage === 'training' ? o.minLr : lr / 10,
          warmupFraction: o.warmupFraction,
          weightDecay: o.weightDecay,
          clipNorm: o.clipNorm,
          microBatches: o.microBatches,
          seed: o.seed,
          objective,
          signal,
          onStep: (e) =>
            clock.report({
              stage,
              done: e.step,
              total: e.totalSteps,
              loss: e.loss,
              epoch: e.epoch,
            }),
          onEpoch: (e) =>
            clock.report({
              stage,
              done: e.epoch * trainPairs.batchCount,
              total: epochs * trainPairs.batchCount,
              validationLoss: e.validationLoss,
              epoch: e.epoch,
            }),
        }),
      );
    const training = await train('training', o.epochs, o.lr);
    if (!(o.finetuneEpochs > 0)) return { replacement, training };
    // Optional second stage: the language-model loss of the whole pruned model, through the frozen
    // layers after the window, the final norm and the head.
    const suffix = [...model.layers].slice(window.start + m);
    const objective = lmObjective(model, suffix, splits, o.batchSize);
    const finetune = await withFrozen([...suffix, model.model.norm], () =>
      train('finetune', o.finetuneEpochs, o.finetuneLr, objective),
    );
    return { replacement, training, finetune };
  } catch (e) {
    replacement.dispose();
    throw e;
  } finally {
    for (const s of sources) await s.dispose();
  }
}

/** Runs `fn` with the modules' parameters frozen (no gradients kept for them), then restores them. */
async function withFrozen<R>(modules: readonly Module[], fn: () => Promise<R>): Promise<R> {
  const params = modules.flatMap((module) => module.parameters());
  const wanted = params.map((p) => p.requiresGrad);
  for (const p of params) p.requiresGrad = false;
  try {
    return await fn();
  } finally {
    params.forEach((p, k) => {
      p.requiresGrad = wanted[k] as boolean;
    });
  }
}
