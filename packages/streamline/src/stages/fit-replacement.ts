/**
 * Steps 4–5 of the method: build the replacement for window j…j+m−1 and fit it alone, on pairs
 * (h_j, h_{j+m}) computed by the frozen layers before and inside the window: trained with MSE
 * (then optionally on the language-model loss of the whole pruned model), or solved in closed
 * form. The model is not changed; on failure the replacement is freed.
 */
import type { Module } from '@llm-streamline/autograd';
import { type DecoderBlock, MemoryBudgetError, type MemoryPlan } from '@llm-streamline/llm';
import { bucketSize } from '@llm-streamline/tensor';
import type { CalibrationSplits } from '../calibration/calibration-data.js';
import type { WindowChoice } from '../metrics/select-window.js';
import type { ResolvedOptions } from '../pipeline/defaults.js';
import type { StreamlineReport } from '../pipeline/report.js';
import { assertFiniteValidationLoss } from '../training/finite-loss.js';
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
  const replacement = await createReplacement(o, plan, window);
  if (!replacement || kind.fit === 'none') return { replacement };
  const memory = model.memoryPlan;
  // The replacement stays on the device from now on (trained, then evaluated): groups leave it room.
  if (memory) memory.pinnedBytes = replacementBytes(replacement);
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
      memory?: MemoryPlan,
    ) =>
      clock.timed(stage, async () => {
        if (memory?.mode === 'streamed')
          expectTrainingFits(memory, replacementBytes(replacement), true);
        const result = await trainReplacement(model, replacement, trainPairs, validationPairs, {
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
        });
        assertFiniteValidationLoss(result, `${o.modelSource ?? 'the model'}, ${stage}`);
        return result;
      });
    const training = await train('training', o.epochs, o.lr, undefined, memory);
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
    if (memory) memory.pinnedBytes = 0;
    throw e;
  } finally {
    for (const s of sources) await s.dispose();
  }
}

/** Device bytes of a module's parameters, as the pool sizes them. */
function replacementBytes(module: Module): number {
  return module.parameters().reduce((sum, p) => sum + bucketSize(p.value.size * 4), 0);
}

/**
 * Training holds the replacement, its gradients and two Adam moments (four copies of its
 * parameters, and a fifth for the update's transient results), one batch of pairs with the
 * output and its gradient, and the layer's activations saved for backward and the backward's own
 * temporaries. A streamed run checks that this fits before any work (from the kind's parameter
 * count) and again before the first step, which notes it as the stage's plan.
 */
export function expectTrainingFits(plan: MemoryPlan, bytes: number, noteAsStage = false): void {
  const planned = 5 * bytes + 6 * plan.stateBytes + 2 * plan.layerWorkingBytes;
  if (planned > plan.budgetBytes)
    throw new MemoryBudgetError(
      plan.budgetBytes,
      planned,
      'training the replacement (its weights, gradients and Adam moments, with one batch)',
    );
  if (noteAsStage) plan.lastGroup = { batchesPerGroup: 1, plannedPeakBytes: planned };
}

/**
 * The kind's module for the window. A kind may initialise it from the window's first layer (a
 * decoder layer or an FFN starts as a copy of it): when the weights stream, that layer is fetched
 * for the copy and released after it.
 */
async function createReplacement(
  o: ResolvedOptions,
  { kind, m, kindOptions }: RemovalPlan,
  window: WindowChoice,
): Promise<DecoderBlock | undefined> {
  const { model } = o;
  const stream = model.weightStream;
  const first = model.layers.at(window.start);
  await stream?.fetch(first);
  try {
    return kind.create({ model, start: window.start, size: m, seed: o.seed }, kindOptions);
  } finally {
    stream?.release(first);
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
