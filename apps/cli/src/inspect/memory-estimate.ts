/**
 * How much GPU memory a run of a model needs, roughly, before it is loaded: `inspect` prints it
 * so that a user can tell whether a model fits before starting a prune.
 */
import type { LlamaConfig } from '@llm-streamline/llm';
import { STREAMLINE_DEFAULTS } from '@llm-streamline/streamline';

/** A memory estimate in bytes, with the assumptions behind it. */
export interface MemoryEstimate {
  weightsBytes: number;
  kvCacheBytes: number;
  activationBytes: number;
  totalBytes: number;
  assumptions: string;
}

/**
 * A rough GPU memory estimate: the weights as f32 (how they are held on the GPU, whatever the file
 * dtype), a batch-1 KV cache at the full context, and the peak activations of one pipeline batch
 * (logits, attention scores, MLP intermediates and a few hidden states).
 */
export function memoryEstimate(config: LlamaConfig, parameters: number): MemoryEstimate {
  const f32 = 4;
  const b = STREAMLINE_DEFAULTS.batchSize;
  const t = STREAMLINE_DEFAULTS.blockLength;
  const weightsBytes = parameters * f32;
  const kvCacheBytes =
    2 * config.numLayers * config.maxPositionEmbeddings * config.numKvHeads * config.headDim * f32;
  const activationBytes =
    f32 *
    b *
    t *
    (config.vocabSize + config.numHeads * t + 3 * config.intermediateSize + 4 * config.hiddenSize);
  return {
    weightsBytes,
    kvCacheBytes,
    activationBytes,
    totalBytes: weightsBytes + kvCacheBytes + activationBytes,
    assumptions:
      `weights held as f32; KV cache for 1 sequence of ${config.maxPositionEmbeddings} tokens (generation); ` +
      `activations for one batch of ${b} blocks × ${t} tokens (the pruning defaults): logits, attention ` +
      'scores, MLP intermediates and four hidden states. Training adds the replacement and its AdamW state.',
  };
}
