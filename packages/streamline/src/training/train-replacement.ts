import {
  AdamW,
  backwardMicroBatch,
  clipGradNorm,
  noGrad,
  warmupCosine,
} from '@llm-streamline/autograd';
import type { DecoderBlock, LlamaForCausalLM } from '@llm-streamline/llm';
import { copy, item, keep, scope, type Tensor } from '@llm-streamline/tensor';
import { seededRandom, shuffled } from '../calibration/seeded-random.js';
import { mseObjective, type TrainingObjective } from './objective.js';
import type { PairSource } from './pairs.js';

export interface TrainOptions {
  epochs: number;
  /** Peak learning rate (after warm-up). */
  lr: number;
  /** Learning rate at the end of the cosine decay. */
  minLr: number;
  /** Fraction of all steps spent warming up linearly. Default 0.05. */
  warmupFraction?: number;
  weightDecay: number;
  /** Clip the global gradient norm to this. */
  clipNorm: number;
  /** Each pair batch is split into this many micro-batches whose gradients accumulate. */
  microBatches: number;
  seed: number;
  /** What to minimise. Default: MSE between the module's output and h_{j+m} (the paper's step 5). */
  objective?: TrainingObjective;
  signal?: AbortSignal;
  onStep?: (event: {
    epoch: number;
    step: number;
    totalSteps: number;
    loss: number;
    lr: number;
  }) => void;
  /** After each epoch; first with epoch 0 and the loss before training (its trainLoss is NaN). */
  onEpoch?: (event: {
    epoch: number;
    trainLoss: number;
    validationLoss: number;
    best: boolean;
  }) => void;
}

export interface TrainResult {
  /** Training loss of every optimiser step. */
  stepLoss: number[];
  /** Mean training loss of each epoch. */
  epochLoss: number[];
  /** Validation loss (MSE by default) before training (index 0) and after each epoch. */
  validationLoss: number[];
  /** Epoch whose parameters were kept (0 = the initial ones). */
  bestEpoch: number;
  /** Set when training stopped early (non-finite loss), saying what happened. */
  stopped?: string;
}

/**
 * Step 5 of the method: trains the replacement alone — every other parameter is frozen and never
 * even runs, since the pairs (h_j, h_{j+m}) come precomputed — to minimise MSE(module(h_j), h_{j+m})
 * with AdamW, linear warm-up then cosine decay, global-norm clipping and micro-batch accumulation.
 * After each epoch the validation loss decides whether to keep a copy of the parameters; the best
 * copy is restored at the end, so a later epoch that overfits (or a NaN) never costs the result.
 * With another `objective` (the language-model loss of the optional second stage) the same loop
 * trains toward it.
 */
export async function trainReplacement(
  model: LlamaForCausalLM,
  module: DecoderBlock,
  training: PairSource,
  validation: PairSource,
  options: TrainOptions,
): Promise<TrainResult> {
  if (training.batchCount === 0)
    throw new RangeError('trainReplacement: there are no training pairs');
  if (validation.batchCount === 0)
    throw new RangeError(
      'trainReplacement: there are no validation pairs (their loss picks the epoch to keep)',
    );
  const params = module.parameters();
  const objective = options.objective ?? mseObjective(model);
  module.unfreeze();
  const stepsPerEpoch = training.batchCount;
  const totalSteps = options.epochs * stepsPerEpoch;
  const schedule = warmupCosine({
    peakLr: options.lr,
    minLr: options.minLr,
    warmupSteps: Math.round((options.warmupFraction ?? 0.05) * totalSteps),
    totalSteps,
  });
  const optimizer = new AdamW(params, { lr: options.lr, weightDecay: options.weightDecay });
  const random = seededRandom(options.seed);
  const result: TrainResult = { stepLoss: [], epochLoss: [], validationLoss: [], bestEpoch: 0 };
  let best = snapshot(module);
  result.validationLoss.push(
    await validationLoss(model, module, validation, options.signal, objective),
  );
  options.onEpoch?.({
    epoch: 0,
    trainLoss: Number.NaN,
    validationLoss: result.validationLoss[0] as number,
    best: true,
  });
  try {
    let step = 0;
    for (let epoch = 1; epoch <= options.epochs && !result.stopped; epoch++) {
      let epochSum = 0;
      for (const i of shuffled([...Array(stepsPerEpoch).keys()], random)) {
        options.signal?.throwIfAborted();
        optimizer.lr = schedule(step);
        const loss = await trainStep(module, await training.batch(i), i, objective, options);
        if (!Number.isFinite(loss)) {
          result.stopped =
            `the training loss became ${loss} at epoch ${epoch}, step ${step + 1} (lr ${optimizer.lr.toExponential(2)}); ` +
            `training stopped and the parameters of epoch ${result.bestEpoch} were kept. Try a lower learning rate.`;
          break;
        }
        optimizer.step();
        optimizer.zeroGrad();
        result.stepLoss.push(loss);
        epochSum += loss;
        options.onStep?.({ epoch, step: ++step, totalSteps, loss, lr: optimizer.lr });
      }
      if (result.stopped) break;
      const validationMse = await validationLoss(
        model,
        module,
        validation,
        options.signal,
        objective,
      );
      const isBest = validationMse < (result.validationLoss[result.bestEpoch] as number);
      result.epochLoss.push(epochSum / stepsPerEpoch);
      result.validationLoss.push(validationMse);
      if (isBest) {
        disposeAll(best);
        best = snapshot(module);
        result.bestEpoch = epoch;
      }
      options.onEpoch?.({
        epoch,
        trainLoss: epochSum / stepsPerEpoch,
        validationLoss: validationMse,
        best: isBest,
      });
    }
    module.loadStateDict(best);
  } finally {
    disposeAll(best);
    optimizer.zeroGrad();
    optimizer.dispose();
    module.freeze();
  }
  return result;
}

/** One optimiser step's gradients over the micro-batches of one pair batch; returns the mean loss. */
async function trainStep(
  module: DecoderBlock,
  pair: { input: Tensor; target: Tensor },
  index: number,
  objective: TrainingObjective,
  options: TrainOptions,
): Promise<number> {
  const batch = pair.input.shape[0] as number;
  const micro = Math.min(options.microBatches, batch);
  const per = Math.ceil(batch / micro);
  let total = 0;
  try {
    for (let start = 0; start < batch; start += per) {
      const rows = Math.min(per, batch - start);
      const loss = scope(() =>
        objective.loss(module, pair, { split: 'training', index, start, rows }),
      );
      backwardMicroBatch(loss, Math.ceil(batch / per));
      total += (await item(loss.value)) * rows;
      loss.value.dispose();
    }
    const norm = clipGradNorm(module.parameters(), options.clipNorm);
    norm.dispose();
  } finally {
    pair.input.dispose();
    pair.target.dispose();
  }
  return total / batch;
}

/** Mean loss (MSE by default) of the module over the validation pairs (no gradients). */
export async function validationLoss(
  model: LlamaForCausalLM,
  module: DecoderBlock,
  pairs: PairSource,
  signal?: AbortSignal,
  objective: TrainingObjective = mseObjective(model),
): Promise<number> {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < pairs.batchCount; i++) {
    signal?.throwIfAborted();
    const { input, target } = await pairs.batch(i);
    const rows = input.shape[0] as number;
    sum +=
      rows *
      (await noGrad(() =>
        scope(() =>
          item(
            objective.loss(
              module,
              { input, target },
              { split: 'validation', index: i, start: 0, rows },
            ).value,
          ),
        ),
      ));
    count += rows;
    input.dispose();
    target.dispose();
  }
  return sum / Math.max(count, 1);
}

function snapshot(module: DecoderBlock): Map<string, Tensor> {
  return new Map([...module.stateDict()].map(([name, t]) => [name, keep(copy(t))]));
}

function disposeAll(state: Map<string, Tensor>): void {
  for (const t of state.values()) t.dispose();
}
