/**
 * Zero-shot multiple-choice accuracy with lm-evaluation-harness's semantics: each choice's score
 * is the summed log-likelihood of its continuation (see encode-request.ts for the tokens);
 * `acc` counts items whose highest score is the gold choice, `acc_norm` items whose highest score
 * divided by the choice's length in characters is (lm_eval/api/task.py, `process_results` for
 * multiple_choice). Ties go to the first choice, as numpy's argmax.
 */
import type { DecoderBlock } from '../model/decoder-block.js';
import type { LlamaForCausalLM } from '../model/llama-model.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import type { MultipleChoiceItem } from './choice-item.js';
import {
  type ContinuationOptions,
  continuationLogLikelihoodsOfVariants,
} from './continuation-log-likelihood.js';
import { encodeRequest, type RequestWindow, requestWindow } from './encode-request.js';
import { NonFiniteResultError } from './perplexity.js';

export interface MultipleChoiceOptions extends ContinuationOptions {
  /**
   * Positions the model reads at most (the harness's max_length): a longer context + continuation
   * loses tokens from the left.
   */
  blockLength: number;
  /** The task file, for messages (`file:line: …`). */
  source?: string;
}

/** One item's outcome. */
export interface ItemScore {
  /** Summed log-likelihood of each choice's continuation. */
  logLikelihoods: number[];
  /** argmax of the log-likelihoods. */
  prediction: number;
  /** argmax of log-likelihood ÷ choice length in characters. */
  predictionNorm: number;
  gold: number;
  /** Whether any of its choices lost context tokens to the block length. */
  truncated: boolean;
}

export interface MultipleChoiceResult {
  /** Fraction of items whose prediction is the gold choice. */
  acc: number;
  /** Fraction of items whose length-normalised prediction is the gold choice. */
  accNorm: number;
  items: number;
  /** Items with at least one choice truncated from the left. */
  truncated: number;
  /** Per item, in the task's order. */
  scores: ItemScore[];
  /** Scored continuation tokens per second of wall time. */
  tokensPerSecond: number;
}

/**
 * Scores `items` with `model`: every choice of every item is one forward sequence, batched
 * up to `batchTokens` positions at a time. Throws an error naming the item's file and line when a continuation
 * encodes to no token or alone exceeds the block length.
 */
export async function scoreMultipleChoice(
  model: LlamaForCausalLM,
  tokenizer: Tokenizer,
  items: readonly MultipleChoiceItem[],
  options: MultipleChoiceOptions,
): Promise<MultipleChoiceResult> {
  const [result] = await scoreMultipleChoiceOfVariants(
    model,
    tokenizer,
    items,
    model.layers.length,
    [[]],
    options,
  );
  return result as MultipleChoiceResult;
}

/**
 * {@link scoreMultipleChoice} for several models that differ only after their first
 * `sharedLayers` layers (LLM-Streamline's original, plain-removal and replaced models): each
 * variant is the list of layers after that prefix, which runs once per batch for all of them
 * (see `continuationLogLikelihoodsOfVariants`). One result per variant; `tokensPerSecond` counts
 * every variant's tokens.
 */
export async function scoreMultipleChoiceOfVariants(
  model: LlamaForCausalLM,
  tokenizer: Tokenizer,
  items: readonly MultipleChoiceItem[],
  sharedLayers: number,
  variants: readonly (readonly DecoderBlock[])[],
  options: MultipleChoiceOptions,
): Promise<MultipleChoiceResult[]> {
  const start = performance.now();
  const windows = encodeChoices(tokenizer, items, options);
  const perVariant = await continuationLogLikelihoodsOfVariants(
    model,
    windows,
    sharedLayers,
    variants,
    options,
  );
  perVariant.forEach((sums, v) => {
    // −Infinity is a real answer (a token of probability 0); NaN is not, and argmax would
    // silently pick the first choice.
    const bad = sums.findIndex((x) => Number.isNaN(x));
    if (bad >= 0)
      throw new NonFiniteResultError(
        `multiple-choice evaluation${options.source === undefined ? '' : ` of ${options.source}`}${variants.length > 1 ? ` (variant ${v})` : ''}: a choice's log-likelihood is NaN — the model's logits are not finite`,
      );
  });
  const seconds = (performance.now() - start) / 1000;
  const tokens = windows.reduce((n, w) => n + w.continuationLength, 0);
  return perVariant.map((sums) => ({
    ...accuracyOf(items, windows, sums),
    tokensPerSecond: (tokens * variants.length) / seconds,
  }));
}

/**
 * Every choice of every item as the window the model reads (see encode-request.ts), in order.
 * Throws a RangeError naming the item's file and line when a continuation encodes to no token or
 * alone exceeds the block length: cheap, so a pipeline can check its tasks before any compute.
 */
export function encodeChoices(
  tokenizer: Tokenizer,
  items: readonly MultipleChoiceItem[],
  options: Pick<MultipleChoiceOptions, 'blockLength' | 'source'>,
): RequestWindow[] {
  const { blockLength } = options;
  if (!Number.isInteger(blockLength) || blockLength < 1)
    throw new RangeError(`multiple-choice evaluation: blockLength must be ≥ 1, got ${blockLength}`);
  if (items.length === 0) throw new RangeError('multiple-choice evaluation: no items');
  const windows: RequestWindow[] = [];
  for (const item of items)
    item.requests.forEach((request, c) => {
      try {
        windows.push(requestWindow(encodeRequest(tokenizer, request), blockLength));
      } catch (e) {
        const where = `${options.source === undefined ? 'line ' : `${options.source}:`}${item.line}`;
        throw new RangeError(`${where}: choice ${c}: ${(e as Error).message}`);
      }
    });
  return windows;
}

/** acc, acc_norm and the per-item outcomes from every choice's summed log-likelihood. */
function accuracyOf(
  items: readonly MultipleChoiceItem[],
  windows: readonly RequestWindow[],
  sums: readonly number[],
): Omit<MultipleChoiceResult, 'tokensPerSecond'> {
  let next = 0;
  const scores = items.map((item): ItemScore => {
    const k = item.requests.length;
    const logLikelihoods = sums.slice(next, next + k);
    const truncated = windows.slice(next, next + k).some((w) => w.truncated);
    next += k;
    return {
      logLikelihoods,
      prediction: bestChoice(logLikelihoods),
      predictionNorm: bestChoice(
        logLikelihoods.map((ll, c) => ll / (item.choiceLengths[c] as number)),
      ),
      gold: item.gold,
      truncated,
    };
  });
  return {
    acc: scores.filter((s) => s.prediction === s.gold).length / scores.length,
    accNorm: scores.filter((s) => s.predictionNorm === s.gold).length / scores.length,
    items: scores.length,
    truncated: scores.filter((s) => s.truncated).length,
    scores,
  };
}

/** Index of the largest value, the first on ties (numpy's argmax). */
function bestChoice(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++)
    if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}
