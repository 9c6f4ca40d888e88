import { crossEntropy, scope, type Tensor, tensor } from '@llm-streamline/tensor';
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
  if (blocks.length === 0)
    throw new RangeError('perplexity: no blocks to score (the text is shorter than one block)');
  const batchSize = options.batchSize ?? 8;
  const start = performance.now();
  let nllSum = 0;
  let count = 0;
  for (let b = 0; b < blocks.length; b += batchSize) {
    if (options.shouldStop?.()) throw new Error('perplexity: cancelled');
    const batch = blocks.slice(b, b + batchSize);
    const t = (batch[0] as number[]).length;
    nllSum += await scope(async () => {
      const ids = tensor(Int32Array.from(batch.flat()), [batch.length, t]);
      const logits = model.forward(ids).logits as Tensor;
      const vocab = logits.shape[2] as number;
      // Position p predicts token p + 1: drop the last logit row and the first target.
      const inputs = logits.narrow(1, 0, t - 1).reshape([-1, vocab]);
      const targets = ids.narrow(1, 1, t - 1).reshape([-1]);
      return crossEntropy(inputs, targets, { reduction: 'sum' }).item();
    });
    count += batch.length * (t - 1);
    options.onProgress?.(Math.min(b + batchSize, blocks.length), blocks.length);
  }
  const seconds = (performance.now() - start) / 1000;
  const meanNll = nllSum / count;
  return {
    perplexity: Math.exp(meanNll),
    meanNll,
    tokensScored: count,
    blocks: blocks.length,
    tokensPerSecond: count / seconds,
  };
}
