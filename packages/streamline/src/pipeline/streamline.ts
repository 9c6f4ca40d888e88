import type { Module } from '@llm-streamline/autograd';
import { type LlamaForCausalLM, packBlocks, type Tokenizer } from '@llm-streamline/llm';
import { prepareCalibration } from '../calibration/calibration-data.js';
import { metricByName, type WindowMetric } from '../metrics/index.js';
import { selectWindow, type WindowChoice } from '../metrics/select-window.js';
import { replacementByName } from '../replacements/index.js';
import { lmObjective } from '../training/lm-objective.js';
import type { TrainingObjective } from '../training/objective.js';
import {
  MemoryPairStorage,
  type PairSource,
  type PairStorage,
  StoredPairs,
} from '../training/pairs.js';
import { trainReplacement } from '../training/train-replacement.js';
import { evaluateVariants, spreadBlocks } from './evaluate-variants.js';
import { layersToRemove, type RemovalTarget } from './layers-to-remove.js';
import { ProgressClock, type ProgressEvent, type Stage } from './progress.js';
import type { StreamlineReport } from './report.js';

export interface StreamlineOptions {
  model: LlamaForCausalLM;
  tokenizer: Tokenizer;
  /** Where the model came from, for the report. */
  modelSource?: string;
  modelFormat?: string;
  /** Calibration text (scoring, training and validation blocks are drawn from it). */
  calibrationText: string;
  calibrationSource?: string;
  /** Held-out text for the perplexity comparison; omit to skip evaluation. */
  evaluationText?: string;
  evaluationSource?: string;
  /**
   * Score at most this many blocks of the evaluation text, spread evenly over it (default 32;
   * `Infinity` for all of them). The three perplexities are measured on the same blocks, so their
   * ratios are what the cap affects least.
   */
  evaluationBlocks?: number;
  /** Layers to remove (n), or a fraction of parameters. Default: a quarter of the layers. */
  target?: RemovalTarget;
  /** Importance metric by name (cosine, angular, bi, ppl). Default cosine. */
  metric?: string;
  /** Replacement kind by name (none, layer, ffn, linear). Default ffn. */
  replacement?: string;
  /**
   * Score every window size 1…L−1 (for the heat map), not only n and n + 1. Default: when the
   * metric does it in the same pass and the L hidden states of a batch it then keeps fit in 256 MiB.
   */
  scoreAllSizes?: boolean;
  /** Never choose a window that ends at the last layer. Default false. */
  excludeLastLayer?: boolean;
  blockLength?: number;
  scoringBlocks?: number;
  trainingBlocks?: number;
  validationBlocks?: number;
  /** Blocks per forward pass and per optimiser step. */
  batchSize?: number;
  microBatches?: number;
  epochs?: number;
  lr?: number;
  minLr?: number;
  weightDecay?: number;
  clipNorm?: number;
  warmupFraction?: number;
  /**
   * Optional second stage: epochs of training the replacement on the language-model loss of the
   * whole pruned model (everything else frozen), after the MSE stage. Default 0 (off); each epoch
   * costs a forward and backward pass through every layer after the window.
   */
  finetuneEpochs?: number;
  /** Peak learning rate of the second stage (cosine decay to a tenth of it). Default 1e-4. */
  finetuneLr?: number;
  /** `ffn` replacement: hidden size and initialisation. */
  ffnHidden?: number;
  ffnInit?: 'layer' | 'random';
  /** Evaluate the original and plain-removal models too (default true when evaluating). */
  compareBaselines?: boolean;
  seed?: number;
  /** Where training pairs are kept between epochs (default: memory). Node passes a temporary file. */
  pairStorage?: () => Promise<PairStorage>;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

export interface StreamlineResult {
  report: StreamlineReport;
  /** The model, now pruned: its layer list has the window replaced (or removed). */
  model: LlamaForCausalLM;
}

/**
 * Defaults sized for small models on a CPU adapter, so the whole `ffn` run on the bundled 12-layer
 * model fits in minutes on two CPU cores; the CLI exposes each as a flag. Half the data of the
 * paper-scale settings the fidelity experiment uses (64 scoring, 256 training, 16 validation
 * blocks, every evaluation block): the chosen window is the same and the replacement lands within a
 * few percent (see packages/streamline/README.md, "Defaults and time").
 */
export const STREAMLINE_DEFAULTS = {
  metric: 'cosine',
  replacement: 'ffn',
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
  seed: 0,
} as const;

/**
 * The whole LLM-Streamline method on a loaded model:
 *  1. calibration blocks from text;
 *  2. every window's redundancy score from one pass per batch (sizes n and n + 1 together);
 *  3. n from the target, the window chosen;
 *  4. the replacement built for window j…j+m−1 (m = n + 1; m = n for plain removal);
 *  5. trained alone on (h_j, h_{j+m}) pairs from the frozen prefix, or fitted in closed form;
 *  6. assembled: the window's layers leave the list and the replacement takes their place;
 *  7. perplexity of the original, plain-removal and replaced models on held-out text.
 * Saving is separate (export/save-streamlined.ts). Cancel with `signal`: the model is left as it
 * was found (the window is only spliced out at the end, and restored on failure).
 */
export async function streamline(options: StreamlineOptions): Promise<StreamlineResult> {
  const o = { ...STREAMLINE_DEFAULTS, ...definedOnly(options) };
  const { model, tokenizer, signal } = o;
  const clock = new ProgressClock(options.onProgress);
  const timings: Record<string, number> = {};
  const timed = async <R>(stage: Stage, fn: () => Promise<R>): Promise<R> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      timings[stage] = (timings[stage] ?? 0) + (performance.now() - t0) / 1000;
    }
  };
  const progress = (stage: Stage, message?: string) => (done: number, total: number) =>
    clock.report({ stage, done, total, message });

  const kind = replacementByName(o.replacement);
  const metric = metricByName(o.metric);
  const originalLayers = model.layers.length;
  const originalParameters = model.parameterCount();
  const n = layersToRemove(
    model,
    o.target ?? { layers: Math.max(1, Math.round(originalLayers / 4)) },
    kind.windowSize(1) - 1,
  );
  const m = kind.windowSize(n);
  checkSizes(o, kind.fit);

  const { splits, evaluationBlocks } = await timed('calibration', async () => {
    const splits = prepareCalibration(o.calibrationText, tokenizer, {
      blockLength: o.blockLength,
      scoringBlocks: o.scoringBlocks,
      trainingBlocks: kind.fit === 'none' ? 0 : o.trainingBlocks,
      validationBlocks: kind.fit === 'train' ? o.validationBlocks : 0,
      seed: o.seed,
      source: o.calibrationSource,
    });
    // Packed now, so an evaluation text too short for one block fails before any work, not after training.
    const evaluationBlocks =
      o.evaluationText === undefined
        ? undefined
        : spreadBlocks(packBlocks(o.evaluationText, tokenizer, o.blockLength), o.evaluationBlocks);
    if (evaluationBlocks?.length === 0) {
      throw new Error(
        `${o.evaluationSource ?? 'evaluation text'}: too short — it gives no block of ${o.blockLength} tokens. Use more text or shorter blocks.`,
      );
    }
    return { splits, evaluationBlocks };
  });

  // Steps 2–3: one pass scores both the replaced window (m) and the plain-removal one (n), and, when
  // that costs nothing but memory, every other size for the report's heat map.
  const sizes = [
    ...new Set([
      m,
      n,
      ...(wantsAllSizes(o.scoreAllSizes, metric, model, o.batchSize, o.blockLength)
        ? Array.from({ length: originalLayers - 1 }, (_, k) => k + 1)
        : []),
    ]),
  ].sort((a, b) => a - b);
  const scores = await timed('scoring', () =>
    metric.score(
      {
        model,
        blocks: splits.scoring,
        batchSize: o.batchSize,
        signal,
        onProgress: progress('scoring'),
      },
      sizes,
    ),
  );
  const window = selectWindow(metric, scores.get(m) as number[], m, {
    excludeLastLayer: o.excludeLastLayer,
  });
  const removalWindow = selectWindow(metric, scores.get(n) as number[], n, {
    excludeLastLayer: o.excludeLastLayer,
  });

  // Steps 4–5.
  const replacement = kind.create({
    model,
    start: window.start,
    size: m,
    seed: o.seed,
    ffnHidden: o.ffnHidden,
    ffnInit: o.ffnInit,
  });
  let training: StreamlineReport['training'];
  let finetune: StreamlineReport['finetune'];
  const sources: PairSource[] = [];
  try {
    if (replacement && kind.fit !== 'none') {
      const store = async (blocks: number[][], what: string) => {
        const pairs = await timed('pairs', async () =>
          StoredPairs.create(
            model,
            blocks,
            o.batchSize,
            window.start,
            m,
            await (o.pairStorage?.() ?? new MemoryPairStorage()),
            {
              signal,
              onProgress: progress('pairs', what),
            },
          ),
        );
        sources.push(pairs);
        return pairs;
      };
      const trainPairs = await store(splits.training, 'training pairs');
      if (kind.fit === 'closed-form') {
        await timed(
          'training',
          () => kind.fitClosedForm?.(replacement, trainPairs, signal) ?? Promise.resolve(),
        );
      } else {
        const validationPairs = await store(splits.validation, 'validation pairs');
        const train = (
          stage: 'training' | 'finetune',
          epochs: number,
          lr: number,
          objective?: TrainingObjective,
        ) =>
          timed(stage, () =>
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
        training = await train('training', o.epochs, o.lr);
        if (o.finetuneEpochs > 0) {
          // Optional second stage: the language-model loss of the whole pruned model, through the
          // frozen layers after the window, the final norm and the head.
          const suffix = [...model.layers].slice(window.start + m);
          const objective = lmObjective(model, suffix, splits, o.batchSize);
          finetune = await withFrozen([...suffix, model.model.norm], () =>
            train('finetune', o.finetuneEpochs, o.finetuneLr, objective),
          );
        }
      }
    }
  } catch (e) {
    replacement?.dispose();
    throw e;
  } finally {
    for (const s of sources) await s.dispose();
  }

  // Step 7 (before assembly, so the original and plain-removal models can be evaluated in place).
  let ppl: StreamlineReport['perplexity'];
  if (evaluationBlocks !== undefined) {
    try {
      ppl = await timed('evaluation', () =>
        evaluateVariants(model, evaluationBlocks, {
          window,
          removalWindow,
          replacement,
          compareBaselines: o.compareBaselines !== false,
          source: o.evaluationSource ?? 'evaluation text',
          batchSize: o.batchSize,
          signal,
          onProgress: progress('evaluation', 'perplexity of the compared models'),
        }),
      );
    } catch (e) {
      replacement?.dispose();
      // perplexity() stops with its own error; report a cancellation as the signal's reason, as every other stage does.
      throw signal?.aborted ? signal.reason : e;
    }
  }

  // Step 6: assemble. The removed layers are freed; the replacement (if any) takes their place.
  const chosen = replacement ? window : removalWindow;
  const removed = model.layers.splice(
    chosen.start,
    chosen.size,
    ...(replacement ? [replacement] : []),
  );
  for (const layer of removed) layer.dispose();
  const exported = replacement?.asLlamaLayer?.();

  const report: StreamlineReport = {
    version: 1,
    model: {
      source: o.modelSource ?? 'model',
      format: o.modelFormat ?? 'unknown',
      layers: originalLayers,
      parameters: originalParameters,
    },
    calibration: {
      source: o.calibrationSource ?? 'calibration text',
      blockLength: o.blockLength,
      scoringBlocks: splits.scoring.length,
      trainingBlocks: splits.training.length,
      validationBlocks: splits.validation.length,
    },
    metric: {
      name: metric.name,
      description: metric.description,
      higherIsRedundant: metric.higherIsRedundant,
    },
    scores: Object.fromEntries([...scores].map(([size, s]) => [String(size), s])),
    layersRemoved: n,
    window: windowRecord(chosen),
    removalWindow: windowRecord(removalWindow),
    replacement: {
      kind: kind.name,
      description: kind.description,
      parameters: replacement?.parameterCount() ?? 0,
      exportedAs: !replacement
        ? 'layers removed'
        : exported === undefined || exported instanceof Map
          ? 'LLaMA decoder layer'
          : `not exportable: ${exported.reason}`,
    },
    hyperparameters: {
      batchSize: o.batchSize,
      microBatches: o.microBatches,
      epochs: o.epochs,
      lr: o.lr,
      minLr: o.minLr,
      weightDecay: o.weightDecay,
      clipNorm: o.clipNorm,
      warmupFraction: o.warmupFraction,
      excludeLastLayer: o.excludeLastLayer ?? false,
      ...(o.finetuneEpochs > 0
        ? { finetuneEpochs: o.finetuneEpochs, finetuneLr: o.finetuneLr }
        : {}),
      ...(o.ffnHidden ? { ffnHidden: o.ffnHidden } : {}),
      ...(o.ffnInit ? { ffnInit: o.ffnInit } : {}),
    },
    seed: o.seed,
    training,
    finetune,
    perplexity: ppl,
    timings,
    result: { layers: model.layers.length, parameters: model.parameterCount() },
  };
  return { report, model };
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

/** The walk keeps L hidden states of a batch to score every size; allowed up to this many bytes. */
const ALL_SIZES_MEMORY_BYTES = 256 * 2 ** 20;

function wantsAllSizes(
  option: boolean | undefined,
  metric: WindowMetric,
  model: LlamaForCausalLM,
  batchSize: number,
  blockLength: number,
): boolean {
  if (option !== undefined) return option;
  const bytes = model.layers.length * batchSize * blockLength * model.config.hiddenSize * 4;
  return metric.allSizesInOnePass && bytes <= ALL_SIZES_MEMORY_BYTES;
}

function windowRecord(w: WindowChoice): { start: number; size: number; score: number } {
  return { start: w.start, size: w.size, score: w.score };
}

/** Block counts and batch sizes must be whole numbers a run can use; checked before any work. */
function checkSizes(
  o: Record<
    | 'blockLength'
    | 'scoringBlocks'
    | 'trainingBlocks'
    | 'validationBlocks'
    | 'batchSize'
    | 'microBatches'
    | 'epochs'
    | 'evaluationBlocks',
    number
  >,
  fit: 'none' | 'train' | 'closed-form',
): void {
  const atLeast = (name: keyof typeof o, min: number, why = '') => {
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

/** Drops keys whose value is undefined, so they do not override defaults. */
function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
