import { defaultChunkRows, noGrad, variable } from '@llm-streamline/autograd';
import { item, scope, type Tensor, tensor } from '@llm-streamline/tensor';
import type { DecoderBlock } from '../model/decoder-block.js';
import type { LlamaForCausalLM } from '../model/llama-model.js';
import { embedBlocks, groupsOf, walkLayers } from '../stream/layer-walk.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';

/**
 * How text becomes scored blocks (the method recorded with tinystories-12L's reference):
 * split into documents on blank lines, encode each as [BOS] + ids, concatenate, cut into blocks of
 * `blockLength` tokens (the remainder is dropped), score each block on its own (no context carried
 * across blocks) predicting positions 1…blockLength−1.
 */
export function packBlocks(text: string, tokenizer: Tokenizer, blockLength: number): number[][] {
  const stream: number[] = [];
  for (const doc of splitDocuments(text))
    stream.push(...tokenizer.encode(doc, { bos: true, eos: false }));
  const blocks: number[][] = [];
  for (let start = 0; start + blockLength <= stream.length; start += blockLength)
    blocks.push(stream.slice(start, start + blockLength));
  return blocks;
}

/** Paragraphs separated by blank lines, trimmed, empty ones dropped. */
export function splitDocuments(text: string): string[] {
  return text
    .split(/\r?\n[ \t]*\r?\n/)
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
}

export interface PerplexityResult {
  perplexity: number;
  meanNll: number;
  tokensScored: number;
  blocks: number;
  /** Scored tokens per second of wall time. */
  tokensPerSecond: number;
}

export interface PerplexityOptions {
  /** Blocks per forward pass. Default 8. */
  batchSize?: number;
  /**
   * Token positions whose logits are computed at once (see `linearCrossEntropy`). Default: as many
   * as fit 64 MiB of f32 logits, so memory does not grow with batch × length × vocabulary.
   */
  chunkRows?: number;
  /** Called after each batch with (blocksDone, totalBlocks). */
  onProgress?: (done: number, total: number) => void;
  shouldStop?: () => boolean;
  /**
   * Which model and stage is measured (e.g. `model.gguf, evaluation`): named by the error for a
   * NaN or infinite result. Default `perplexity`.
   */
  label?: string;
  /** Names of the variants, in order (e.g. `original`, `replaced`), for the same error. */
  variantNames?: readonly string[];
}

/** Perplexity of the model on packed blocks: exp(mean next-token NLL). */
export async function perplexity(
  model: LlamaForCausalLM,
  blocks: readonly number[][],
  options: PerplexityOptions = {},
): Promise<PerplexityResult> {
  const [result] = await perplexityOfVariants(model, blocks, model.layers.length, [[]], options);
  return result as PerplexityResult;
}

/**
 * Perplexities of several models that differ only after their first `sharedLayers` layers. Each
 * variant is the list of layers that follows that shared prefix; the embedding, the prefix, the
 * final norm and the head are the model's. The prefix runs once per batch and its output feeds
 * every variant, so comparing a model with pruned versions of itself (LLM-Streamline's original,
 * plain-removal and replaced models, which share every layer before the pruned window) costs the
 * prefix once instead of once per model. `tokensPerSecond` counts every variant's tokens.
 *
 * Batches run through the layers in groups (see stream/layer-walk.ts): one batch per group for a
 * resident model; as many as the memory plan allows for a streamed one, each layer fetched once
 * per group. Per batch the kernels are the same either way, and losses are summed in batch order,
 * so both give the same perplexity, bit for bit.
 */
export async function perplexityOfVariants(
  model: LlamaForCausalLM,
  blocks: readonly number[][],
  sharedLayers: number,
  variants: readonly (readonly DecoderBlock[])[],
  options: PerplexityOptions = {},
): Promise<PerplexityResult[]> {
  if (blocks.length === 0)
    throw new RangeError('perplexity: no blocks to score (the text is shorter than one block)');
  if (!Number.isInteger(sharedLayers) || sharedLayers < 0 || sharedLayers > model.layers.length)
    throw new RangeError(
      `perplexity: sharedLayers ${sharedLayers} is outside 0…${model.layers.length}`,
    );
  const { batchSize = 8 } = options;
  const start = performance.now();
  const nllSums = variants.map(() => 0);
  let count = 0;
  let done = 0;
  const batches = groupsOf(blocks, batchSize);
  const plan = model.memoryPlan;
  const stream = model.weightStream;
  // A streamed group holds, per batch, the prefix's output and every variant's.
  const held = (1 + variants.length) * (plan?.stateBytes ?? 0);
  const perGroup = plan?.batchesPerGroup(held, batches.length) ?? 1;
  const chunkRows =
    options.chunkRows ??
    plan?.lossChunkRows(perGroup * held, defaultChunkRows(model.config.vocabSize));
  const prefixLayers = [...model.layers].slice(0, sharedLayers);
  for (const group of groupsOf(batches, perGroup)) {
    if (options.shouldStop?.()) throw new Error('perplexity: cancelled');
    const embedded: Tensor[] = [];
    for (const batch of group) embedded.push(await embedBlocks(model, batch));
    const prefix = await walkLayers(model, prefixLayers, embedded);
    const outputs: Tensor[][] = [];
    try {
      for (const layers of variants)
        outputs.push(await walkLayers(model, layers, prefix, { consumeInputs: false }));
    } finally {
      for (const h of prefix) h.dispose();
    }
    // The device may still be computing the last layers while the head is read.
    if (stream) await stream.waitFor(stream.fetch(model.headModule), model.invFreq.device.sync());
    // Each variant's loss is computed chunk by chunk: no [B, T, V] logits (see nextTokenLoss).
    const losses = group.map((batch, b) =>
      scope(() =>
        noGrad(() => {
          const t = (batch[0] as number[]).length;
          const ids = tensor(Int32Array.from(batch.flat()), [batch.length, t]);
          return outputs.map(
            (out) =>
              model.nextTokenLoss(variable(out[b] as Tensor), ids, { reduction: 'sum', chunkRows })
                .value,
          );
        }),
      ),
    );
    for (const out of outputs) for (const h of out) h.dispose();
    stream?.release(model.headModule);
    // One readback per loss, after every dispatch of the group is queued; summed in batch order.
    const sums = await Promise.all(losses.map((l) => Promise.all(l.map((x) => item(x)))));
    for (const l of losses) for (const x of l) x.dispose();
    group.forEach((batch, b) => {
      (sums[b] as number[]).forEach((s, v) => {
        nllSums[v] = (nllSums[v] as number) + s;
      });
      count += batch.length * ((batch[0] as number[]).length - 1); // the rows nextTokenLoss scores
      done += batch.length;
      options.onProgress?.(done, blocks.length);
    });
  }
  const seconds = (performance.now() - start) / 1000;
  return nllSums.map((nllSum, v) => {
    const meanNll = nllSum / count;
    assertFiniteResult(meanNll, v, options);
    return {
      perplexity: Math.exp(meanNll),
      meanNll,
      tokensScored: count,
      blocks: blocks.length,
      tokensPerSecond: (count * variants.length) / seconds,
    };
  });
}

/**
 * A NaN or infinite perplexity is not a measurement: it comes from non-finite logits (weights
 * that overflow, a corrupt checkpoint loaded without its check). Fails naming the model and stage.
 */
function assertFiniteResult(meanNll: number, variant: number, options: PerplexityOptions): void {
  if (Number.isFinite(meanNll) && Number.isFinite(Math.exp(meanNll))) return;
  const name = options.variantNames?.[variant];
  const which = name === undefined ? (variant > 0 ? ` of variant ${variant}` : '') : ` of ${name}`;
  throw new NonFiniteResultError(
    `${options.label ?? 'perplexity'}: the perplexity${which} is ${Math.exp(meanNll)} (mean NLL ${meanNll}) — the model's logits are not finite`,
  );
}

/** A computed perplexity, loss or score that is NaN or infinite. */
export class NonFiniteResultError extends Error {
  override name = 'NonFiniteResultError';
}
