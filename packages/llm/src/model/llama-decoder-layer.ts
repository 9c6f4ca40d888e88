import {
  add,
  Module,
  type ParameterInit,
  RMSNorm,
  SwiGLU,
  type Variable,
} from '@llm-streamline/autograd';
import { scope } from '@llm-streamline/tensor';
import type { LlamaConfig } from '../config/llama-config.js';
import type { DecoderBlock, LayerContext } from './decoder-block.js';
import { LlamaAttention } from './llama-attention.js';

/**
 * One pre-norm LLaMA decoder layer, with Hugging Face's parameter names:
 *   h ← h + self_attn(input_layernorm(h));  h ← h + mlp(post_attention_layernorm(h)).
 */
export class LlamaDecoderLayer extends Module implements DecoderBlock {
  readonly inputLayernorm: RMSNorm;
  readonly selfAttn: LlamaAttention;
  readonly postAttentionLayernorm: RMSNorm;
  readonly mlp: SwiGLU;

  /**
   * @param layerIndex which layer of `config` this is (its attention window follows
   *   `layer_types`); kept when other layers are removed, so a save can write its entry.
   * @param init `'empty'` for weights about to be loaded (see {@link ParameterInit}).
   */
  constructor(
    readonly config: LlamaConfig,
    seed = 0,
    readonly layerIndex = 0,
    init: ParameterInit = 'default',
  ) {
    super();
    this.inputLayernorm = this.registerModule(
      'input_layernorm',
      new RMSNorm(config.hiddenSize, config.rmsNormEps, { init }),
    );
    this.selfAttn = this.registerModule(
      'self_attn',
      new LlamaAttention(config, seed, layerIndex, init),
    );
    this.postAttentionLayernorm = this.registerModule(
      'post_attention_layernorm',
      new RMSNorm(config.hiddenSize, config.rmsNormEps, { init }),
    );
    this.mlp = this.registerModule(
      'mlp',
      new SwiGLU(config.hiddenSize, config.intermediateSize, {
        seed: seed + 4,
        bias: config.mlpBias,
        init,
      }),
    );
  }

  forward(h: Variable, ctx: LayerContext): Variable {
    return scope(() => {
      const afterAttention = add(h, this.selfAttn.forward(this.inputLayernorm.forward(h), ctx));
      return add(
        afterAttention,
        this.mlp.forward(this.postAttentionLayernorm.forward(afterAttention)),
      );
    });
  }
}
