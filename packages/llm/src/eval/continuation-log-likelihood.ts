/**
 * Summed log-probabilities of continuations on the device, several sequences per forward pass
 * (and, for a streamed model, several batches per layer fetch).
 * Sequences of a batch are padded on the right: attention is causal, so padding never reaches the
 * positions that are scored, and its positions are given no target (as the harness pads right and
 * slices the continuation's logits out). Per position the log-probability is −crossEntropy of that
 * position's logits, computed chunk by chunk so the [B, T, V] logits are never held.
 */
import { defaultChunkRows, noGrad, variable } from '@llm-streamline/autograd';
import * as T from '@llm-streamline/tensor';
import type { DecoderBlock } from '../model/decoder-block.js';
import type { LlamaForCausalLM } from '../model/llama-model.js';
import { embedBlocks, groupsOf, walkLayers } from '../stream/layer-walk.js';
import type { RequestWindow } from './encode-request.js';

/** crossEntropy's ignored target: the position is not the continuation's. */
const NO_TARGET = -100;
/**
 * Padded lengths are multiples of this: kernels are compiled per shape, and requests of every
 * length in between would otherwise compile a set of their own (slow on a software adapter).
 */
const LENGTH_STEP = 16;

export interface ContinuationOptions {
  /**
   * Input positions per forward pass (sequences × their padded length), which bounds activation
   * memory as a perplexity batch of blocks does. Default 2048. A sequence longer than this still
   * runs, alone.
   */
  batchTokens?: number;
  /** Positions whose logits are computed at once. Default: 64 MiB of f32 logits. */
  chunkRows?: number;
  /** Called after each batch with (sequencesDone, totalSequences). */
  onProgress?: (done: number, total: number) => void;
  shouldStop?: () => boolean;
}

/**
 * For each window, Σ log P(token | tokens before it) over its continuation's tokens, in float64
 * on the host from the device's f32 per-token values. Windows are batched longest first (the
 * harness's order), so a batch pads little; the results come back in the windows' order.
 */
export async function continuationLogLikelihoods(
  model: LlamaForCausalLM,
  windows: readonly RequestWindow[],
  options: ContinuationOptions = {},
): Promise<number[]> {
  const [sums] = await continuationLogLikelihoodsOfVariants(
    model,
    windows,
    model.layers.length,
    [[]],
    options,
  );
  return sums as number[];
}

/**
 * {@link continuationLogLikelihoods} for several models that differ only after their first
 * `sharedLayers` layers (as `perplexityOfVariants`): each variant is the list of layers after that
 * prefix, and the prefix runs once per batch for all of them. Returns one array per variant.
 */
export async function continuationLogLikelihoodsOfVariants(
  model: LlamaForCausalLM,
  windows: readonly RequestWindow[],
  sharedLayers: number,
  variants: readonly (readonly DecoderBlock[])[],
  options: ContinuationOptions = {},
): Promise<number[][]> {
  const { batchTokens = 2048 } = options;
  if (!Number.isInteger(sharedLayers) || sharedLayers < 0 || sharedLayers > model.layers.length)
    throw new RangeError(
      `continuationLogLikelihoods: sharedLayers ${sharedLayers} is outside 0…${model.layers.length}`,
    );
  for (const [i, w] of windows.entries())
    if (w.tokens.length < 2 || w.continuationLength < 1 || w.continuationLength >= w.tokens.length)
      throw new RangeError(
        `continuationLogLikelihoods: window ${i} has ${w.tokens.length} tokens and a continuation of ${w.continuationLength}; expected 1 ≤ continuation < tokens`,
      );
  const order = windows
    .map((_, i) => i)
    .sort((a, b) => inputLength(windows[b]) - inputLength(windows[a]) || a - b);
  const batches = batchesOf(
    order.map((i) => windows[i] as RequestWindow),
    order,
    batchTokens,
  );
  // As perplexityOfVariants: a streamed model walks as many batches per layer fetch as its plan
  // allows (each batch holds the prefix's output and every variant's), a resident one one batch.
  const plan = model.memoryPlan;
  const held = (1 + variants.length) * (plan?.stateBytes ?? 0);
  const perGroup = plan?.batchesPerGroup(held, batches.length) ?? 1;
  const vocab = model.config.vocabSize;
  const chunkRows =
    options.chunkRows ??
    plan?.lossChunkRows(perGroup * held, defaultChunkRows(vocab)) ??
    defaultChunkRows(vocab);
  const sums = variants.map(() => new Array<number>(windows.length).fill(0));
  const prefix = [...model.layers].slice(0, sharedLayers);
  let done = 0;
  for (const group of groupsOf(batches, perGroup)) {
    if (options.shouldStop?.()) throw new Error('multiple-choice evaluation: cancelled');
    const rows = group.map((batch) => batch.map((i) => windows[i] as RequestWindow));
    const perBatch = await scoredPositions(model, rows, prefix, variants, chunkRows);
    group.forEach((batch, g) => {
      for (const [v, perToken] of (perBatch[g] as number[][][]).entries())
        batch.forEach((i, b) => {
          let s = 0;
          for (const x of perToken[b] as number[]) s -= x;
          (sums[v] as number[])[i] = s;
        });
      done += batch.length;
      options.onProgress?.(done, windows.length);
    });
  }
  return sums;
}

/**
 * Consecutive runs of `ids` (windows sorted longest first) whose count × padded length of the
 * first stays within `batchTokens`.
 */
function batchesOf(
  sorted: readonly RequestWindow[],
  ids: readonly number[],
  batchTokens: number,
): number[][] {
  const batches: number[][] = [];
  let start = 0;
  while (start < ids.length) {
    const length = padded(inputLength(sorted[start]));
    const count = Math.max(1, Math.floor(batchTokens / length));
    batches.push(ids.slice(start, start + count));
    start += count;
  }
  return batches;
}

/** `n` rounded up to a multiple of LENGTH_STEP. */
function padded(n: number): number {
  return Math.ceil(n / LENGTH_STEP) * LENGTH_STEP;
}

/** Positions fed to the model: all tokens but the last. */
function inputLength(w: RequestWindow | undefined): number {
  return (w as RequestWindow).tokens.length - 1;
}

/** One batch's inputs: padded token rows, and the targets of the positions that reach the head. */
interface BatchInputs {
  windows: readonly RequestWindow[];
  inputs: number[][];
  /** First position scored, and how many from there (the earliest continuation onwards). */
  first: number;
  span: number;
  /** Per sequence and scored position, the token to predict, or NO_TARGET. */
  targets: Int32Array;
}

function batchInputs(windows: readonly RequestWindow[]): BatchInputs {
  const length = padded(Math.max(...windows.map(inputLength)));
  const earliest = Math.min(...windows.map((w) => inputLength(w) - w.continuationLength));
  const span = Math.min(length, padded(length - earliest));
  const first = length - span;
  const inputs: number[][] = [];
  const targets = new Int32Array(windows.length * span).fill(NO_TARGET);
  windows.forEach((w, b) => {
    const n = inputLength(w);
    inputs.push([...w.tokens.slice(0, n), ...new Array<number>(length - n).fill(0)]);
    // Input position p predicts tokens[p + 1]; the continuation is predicted at p ≥ n − c.
    for (let p = n - w.continuationLength; p < n; p++)
      targets[b * span + (p - first)] = w.tokens[p + 1] as number;
  });
  return { windows, inputs, first, span, targets };
}

/**
 * A group of batches through the shared prefix, then each variant's layers (layer-major, see
 * stream/layer-walk.ts), then the head: per batch, per variant, per window, the negative
 * log-probabilities of its continuation's tokens.
 */
async function scoredPositions(
  model: LlamaForCausalLM,
  group: readonly (readonly RequestWindow[])[],
  prefix: readonly DecoderBlock[],
  variants: readonly (readonly DecoderBlock[])[],
  chunkRows: number,
): Promise<number[][][][]> {
  const batches = group.map(batchInputs);
  const embedded: T.Tensor[] = [];
  for (const batch of batches) embedded.push(await embedBlocks(model, batch.inputs));
  const shared = await walkLayers(model, prefix, embedded);
  const hidden: T.Tensor[][] = []; // [variant][batch]
  try {
    for (const layers of variants)
      hidden.push(await walkLayers(model, layers, shared, { consumeInputs: false }));
  } catch (e) {
    for (const h of hidden.flat()) h.dispose();
    throw e;
  } finally {
    for (const h of shared) h.dispose();
  }
  const stream = model.weightStream;
  let losses: T.Tensor[][]; // [batch][variant]
  try {
    // The device may still be computing the last layers while the head is read.
    if (stream) await stream.waitFor(stream.fetch(model.headModule), model.invFreq.device.sync());
    losses = batches.map((batch, b) =>
      hidden.map((h) => headLosses(model, h[b] as T.Tensor, batch, chunkRows)),
    );
  } finally {
    for (const h of hidden.flat()) h.dispose();
    stream?.release(model.headModule);
  }
  // One readback per loss, after every dispatch of the group is queued.
  const values = await Promise.all(
    losses.map((l) => Promise.all(l.map(async (x) => (await T.data(x)) as Float32Array))),
  );
  for (const x of losses.flat()) x.dispose();
  return batches.map(({ windows, first, span }, b) =>
    (values[b] as Float32Array[]).map((v) =>
      windows.map((w, k) => {
        const n = inputLength(w);
        const out: number[] = [];
        for (let p = n - w.continuationLength; p < n; p++)
          out.push(v[k * span + (p - first)] as number);
        return out;
      }),
    ),
  );
}

/**
 * −log P(target) at the batch's scored positions of every sequence of `hidden` [B, T, D] (ignored
 * targets give 0), the logits computed `chunkRows` rows at a time.
 */
function headLosses(
  model: LlamaForCausalLM,
  hidden: T.Tensor,
  { first, span, targets }: BatchInputs,
  chunkRows: number,
): T.Tensor {
  return T.scope(() =>
    noGrad(() => {
      const rows = targets.length;
      const d = model.config.hiddenSize;
      const x = T.reshape(hidden.narrow(1, first, span), [rows, d]);
      const normed = model.model.norm.forward(variable(x)).value;
      const wT = model.outputWeight.transpose();
      const target = T.tensor(targets, [rows]);
      const parts: T.Tensor[] = [];
      for (let start = 0; start < rows; start += chunkRows) {
        const n = Math.min(chunkRows, rows - start);
        const logits = T.matmul(normed.narrow(0, start, n), wT);
        parts.push(T.crossEntropy(logits, target.narrow(0, start, n), { reduction: 'none' }));
      }
      return parts.length === 1 ? (parts[0] as T.Tensor) : T.cat(parts, 0);
    }),
  );
}
