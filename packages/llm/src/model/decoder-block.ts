import type { Module, Variable } from '@llm-streamline/autograd';
import type { Tensor } from '@llm-streamline/tensor';
import type { LayerKvCache } from './kv-cache.js';

/** What every layer of the decoder stack receives besides the hidden state. */
export interface LayerContext {
  /** Position of the first token of this call (tokens already in the KV cache). */
  offset: number;
  /** RoPE inverse frequencies [headDim / 2]. */
  invFreq: Tensor;
  /** This layer's slice of the KV cache, when decoding incrementally. */
  cache?: LayerKvCache;
}

/**
 * The interface of one entry of the decoder's layer list: hidden state [B, T, D] in, same shape
 * out. A LLaMA decoder layer is one; so is any lightweight replacement (an FFN-only block, a linear
 * map), which is what lets LLM-Streamline swap a window of layers for one module.
 */
export interface DecoderBlock extends Module {
  forward(h: Variable, ctx: LayerContext): Variable;
}
