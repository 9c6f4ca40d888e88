import {
  attention,
  Linear,
  Module,
  type ParameterInit,
  permute,
  reshape,
  rope,
  type Variable,
  variable,
} from '@llm-streamline/autograd';
import { scope } from '@llm-streamline/tensor';
import { layerWindow } from '../config/layer-types.js';
import type { LlamaConfig } from '../config/llama-config.js';
import type { LayerContext } from './decoder-block.js';

/**
 * Grouped-query self-attention with rotary positions, as Hugging Face's `LlamaAttention`:
 * q/k/v projections, RoPE (rotate-half layout) on q and k, causal attention in which each group of
 * numHeads / numKvHeads query heads shares one key/value head, then the output projection.
 * Biases as the architecture puts them: on q/k/v (Qwen2, LLaMA's attention_bias), on o (LLaMA's).
 *
 * Sliding-window layers (Mistral, Qwen2 with use_sliding_window) pass their window to the
 * attention kernels: the query at position t sees keys t − window < j ≤ t, as HF's sliding-window
 * mask. The KV cache keeps every position; the window only limits what each query reads.
 */
export class LlamaAttention extends Module {
  readonly qProj: Linear;
  readonly kProj: Linear;
  readonly vProj: Linear;
  readonly oProj: Linear;
  /** Keys more than this many positions back are hidden from a query; undefined: none. */
  readonly window: number | undefined;

  constructor(
    readonly config: LlamaConfig,
    seed = 0,
    readonly layerIndex = 0,
    /** `'empty'` for weights about to be loaded (see {@link ParameterInit}). */
    init: ParameterInit = 'default',
  ) {
    super();
    const { hiddenSize: d, numHeads, numKvHeads, headDim, qkvBias: bias } = config;
    this.window = layerWindow(config, layerIndex);
    this.qProj = this.registerModule(
      'q_proj',
      new Linear(d, numHeads * headDim, { bias, seed, init }),
    );
    this.kProj = this.registerModule(
      'k_proj',
      new Linear(d, numKvHeads * headDim, { bias, seed: seed + 1, init }),
    );
    this.vProj = this.registerModule(
      'v_proj',
      new Linear(d, numKvHeads * headDim, { bias, seed: seed + 2, init }),
    );
    this.oProj = this.registerModule(
      'o_proj',
      new Linear(numHeads * headDim, d, { bias: config.oBias, seed: seed + 3, init }),
    );
  }

  /** x [B, T, D] → [B, T, D]. */
  forward(x: Variable, ctx: LayerContext): Variable {
    const { numHeads, numKvHeads, headDim } = this.config;
    const [b, t] = x.shape as [number, number, number];
    return scope(() => {
      // [B, T, H·Dh] → [B, H, T, Dh]: a view; RoPE reads it through its strides.
      const heads = (y: Variable, h: number) =>
        permute(reshape(y, [b, t, h, headDim]), [0, 2, 1, 3]);
      const rotary = { offset: ctx.offset, layout: 'half' as const };
      const q = rope(heads(this.qProj.forward(x), numHeads), ctx.invFreq, rotary);
      let k = rope(heads(this.kProj.forward(x), numKvHeads), ctx.invFreq, rotary);
      let v = heads(this.vProj.forward(x), numKvHeads);
      if (ctx.cache) {
        // Inference only: the cache holds plain tensors, outside any graph.
        const filled = ctx.cache.append(k.value, v.value, ctx.offset);
        k = variable(filled.keys);
        v = variable(filled.values);
      }
      const window = this.window === undefined ? {} : { window: this.window };
      const o = attention(q, k, v, { causal: true, offset: ctx.offset, ...window });
      return this.oProj.forward(reshape(permute(o, [0, 2, 1, 3]), [b, t, numHeads * headDim]));
    });
  }
}
