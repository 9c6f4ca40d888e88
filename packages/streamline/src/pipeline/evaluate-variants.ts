import {
  type DecoderBlock,
  type LlamaForCausalLM,
  perplexityOfVariants,
} from '@llm-streamline/llm';
import type { WindowChoice } from '../metrics/select-window.js';
import type { StreamlineReport } from './report.js';
import type { VariantName } from './task-record.js';

export interface EvaluationPlan {
  /** The window the replacement stands in for (m layers). */
  window: WindowChoice;
  /** The window plain removal takes (n layers). */
  removalWindow: WindowChoice;
  /** The trained replacement; absent for plain removal. */
  replacement?: DecoderBlock;
  /** Evaluate the original and plain-removal models too. */
  compareBaselines: boolean;
  /** Name of the evaluation text, for the report. */
  source: string;
  /** Which model and stage, for the error of a NaN or infinite perplexity. */
  label?: string;
  batchSize: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** The compared models as layer lists after a shared prefix (see {@link variantLayers}). */
export interface VariantLayers {
  names: VariantName[];
  /** Layers every variant keeps before the earliest edited one. */
  shared: number;
  /** Per name, the layers after the shared prefix. */
  suffixes: DecoderBlock[][];
}

/**
 * The models step 6 compares, as the same layer list edited at or after the first pruned layer:
 * the original and plain removal (with `compareBaselines`), and the replaced model (plain removal
 * when there is no replacement). Every evaluation of them (perplexity, tasks) runs the shared
 * prefix once for all.
 */
export function variantLayers(
  model: LlamaForCausalLM,
  plan: Pick<EvaluationPlan, 'window' | 'removalWindow' | 'replacement' | 'compareBaselines'>,
): VariantLayers {
  const { window, removalWindow, replacement, compareBaselines } = plan;
  const layers = [...model.layers];
  const withWindow = (w: WindowChoice, by: DecoderBlock[]) => {
    const edited = [...layers];
    edited.splice(w.start, w.size, ...by);
    return edited;
  };
  const variants = new Map<VariantName, DecoderBlock[]>();
  if (compareBaselines) {
    variants.set('original', layers);
    variants.set('none', withWindow(removalWindow, []));
  }
  if (replacement) variants.set('replaced', withWindow(window, [replacement]));
  else if (!compareBaselines) variants.set('none', withWindow(removalWindow, []));
  // Every variant keeps the layers before the earliest edited one.
  const shared = Math.min(
    ...(replacement ? [window.start] : []),
    ...(compareBaselines || !replacement ? [removalWindow.start] : []),
  );
  return {
    names: [...variants.keys()],
    shared,
    suffixes: [...variants.values()].map((v) => v.slice(shared)),
  };
}

/**
 * Step 6: perplexity of the original, plain-removal and replaced models on the evaluation blocks,
 * in one pass over the data. The three models are the same layer list edited at or after the
 * first pruned layer, so the layers before it run once per batch and feed all three
 * (perplexityOfVariants): with the window at layer 4 of 12, that is 23 layer passes instead of 31.
 * The model itself is not modified.
 */
export async function evaluateVariants(
  model: LlamaForCausalLM,
  blocks: readonly number[][],
  plan: EvaluationPlan,
): Promise<NonNullable<StreamlineReport['perplexity']>> {
  const { names, shared, suffixes } = variantLayers(model, plan);
  const results = await perplexityOfVariants(model, blocks, shared, suffixes, {
    batchSize: plan.batchSize,
    label: plan.label,
    variantNames: names.map((v) => VARIANT_NAMES[v]),
    onProgress: plan.onProgress,
    shouldStop: () => plan.signal?.aborted ?? false,
  });
  const byName = new Map(names.map((name, k) => [name, results[k]?.perplexity]));
  return {
    source: plan.source,
    blocks: blocks.length,
    original: byName.get('original'),
    none: byName.get('none'),
    replaced: byName.get('replaced') ?? byName.get('none'),
  };
}

/**
 * At most `limit` of the blocks, spread evenly over the text (block k·total/limit for k = 0…limit−1),
 * so a capped evaluation still samples the whole text, and always the same blocks.
 */
export function spreadBlocks<T>(blocks: readonly T[], limit: number | undefined): T[] {
  if (limit === undefined || limit >= blocks.length) return [...blocks];
  return Array.from(
    { length: limit },
    (_, k) => blocks[Math.floor((k * blocks.length) / limit)] as T,
  );
}

/** The variants as the error of a non-finite perplexity names them. */
const VARIANT_NAMES = {
  original: 'the original model',
  none: 'the model with the window removed',
  replaced: 'the model with the replacement',
} as const;
