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
  /**
   * This block's parameters as the tensors of a standard LLaMA decoder layer (names relative to the
   * layer, e.g. `mlp.up_proj.weight`), so a pruned model saves as an ordinary checkpoint; or a
   * reason why the block cannot be written that way. Absent on LlamaDecoderLayer itself, whose
   * state dict already is that.
   */
  asLlamaLayer?(): Map<string, Tensor> | { reason: string };
}
