import { noGrad, variable } from '@llm-streamline/autograd';
import { item, scope, type Tensor, tensor } from '@llm-streamline/tensor';
import type { DecoderBlock } from '../model/decoder-block.js';
import type { LlamaForCausalLM } from '../model/llama-model.js';
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
  const { batchSize = 8, chunkRows } = options;
  const start = performance.now();
  const nllSums = variants.map(() => 0);
  let count = 0;
  for (let b = 0; b < blocks.length; b += batchSize) {
    if (options.shouldStop?.()) throw new Error('perplexity: cancelled');
    const batch = blocks.slice(b, b + batchSize);
    const t = (batch[0] as number[]).length;
    const losses = scope(() =>
      noGrad(() => {
        const ids = tensor(Int32Array.from(batch.flat()), [batch.length, t]);
        const prefix = runStack(
          model,
          model.embed(ids).value,
          [...model.layers].slice(0, sharedLayers),
        );
        // Each variant's loss is computed chunk by chunk: no [B, T, V] logits (see nextTokenLoss).
        return variants.map((layers) =>
          scope(() => {
            const h = variable(runStack(model, prefix, layers));
            return model.nextTokenLoss(h, ids, { reduction: 'sum', chunkRows }).value;
          }),
        );
      }),
    );
    // One readback per variant, after every dispatch of the batch is queued.
    const sums = await Promise.all(losses.map((l) => item(l)));
    for (const l of losses) l.dispose();
    sums.forEach((s, v) => {
      nllSums[v] = (nllSums[v] as number) + s;
    });
    count += batch.length * (t - 1); // the rows nextTokenLoss scores
    options.onProgress?.(Math.min(b + batchSize, blocks.length), blocks.length);
  }
  const seconds = (performance.now() - start) / 1000;
  return nllSums.map((nllSum) => {
    const meanNll = nllSum / count;
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
 * Hidden states through `layers` in order (inference: no graph). Intermediate states are freed as
 * soon as the next layer has consumed them; the input is never freed, so a shared prefix survives.
 */
function runStack(model: LlamaForCausalLM, input: Tensor, layers: readonly DecoderBlock[]): Tensor {
  let h = input;
  for (const layer of layers) {
    const next = scope(() => layer.forward(variable(h), model.layerContext(0)).value);
    // A block may hand back its input unchanged (an identity replacement).
    if (h !== input && next !== h) h.dispose();
    h = next;
  }
  return h;
}
