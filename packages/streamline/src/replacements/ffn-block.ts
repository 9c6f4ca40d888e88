import {
  add,
  Module,
  type ParameterInit,
  RMSNorm,
  SwiGLU,
  type Variable,
} from '@llm-streamline/autograd';
import type { DecoderBlock, LayerContext, LlamaConfig } from '@llm-streamline/llm';
import { keep, ones, scope, type Tensor, zeros } from '@llm-streamline/tensor';

/**
 * A pre-RMSNorm SwiGLU feed-forward block with a residual: h + FFN(norm(h)). Its children are named
 * like a decoder layer's second half, so it saves as a decoder layer of the model's architecture
 * whose attention output projection is zero — which computes exactly h + 0 + FFN(norm(h)) in any
 * LLaMA, Mistral or Qwen2 runtime. The biases the architecture's layers carry are written as zeros.
 */
export class FfnBlock extends Module implements DecoderBlock {
  readonly postAttentionLayernorm: RMSNorm;
  readonly mlp: SwiGLU;
  private attentionStub: Map<string, Tensor> | undefined;

  /** @param init `'empty'` for placeholders that hold no memory (to count parameters). */
  constructor(
    readonly config: LlamaConfig,
    readonly hidden: number,
    seed: number,
    init: ParameterInit = 'default',
  ) {
    super();
    this.postAttentionLayernorm = this.registerModule(
      'post_attention_layernorm',
      new RMSNorm(config.hiddenSize, config.rmsNormEps, { init }),
    );
    this.mlp = this.registerModule('mlp', new SwiGLU(config.hiddenSize, hidden, { seed, init }));
  }

  forward(h: Variable, _ctx: LayerContext): Variable {
    return scope(() => add(h, this.mlp.forward(this.postAttentionLayernorm.forward(h))));
  }

  asLlamaLayer(): Map<string, Tensor> | { reason: string } {
    if (this.hidden !== this.config.intermediateSize) {
      return {
        reason: `its hidden size ${this.hidden} differs from the model's intermediate_size ${this.config.intermediateSize}`,
      };
    }
    this.attentionStub ??= biasFreeParts(this.config);
    return new Map([...this.attentionStub, ...this.stateDict()]);
  }

  override dispose(): void {
    super.dispose();
    for (const t of this.attentionStub?.values() ?? []) t.dispose();
  }
}

/**
 * What the block adds to its SwiGLU to be a full decoder layer: a self-attention sub-block whose
 * output is exactly zero (o_proj and its bias zero; q/k/v and their biases zero too) and, under
 * `mlp_bias`, zero MLP biases (the block's own projections have none).
 */
function biasFreeParts(config: LlamaConfig): Map<string, Tensor> {
  const { hiddenSize: d, numHeads, numKvHeads, headDim, intermediateSize } = config;
  const shapes: [string, number[]][] = [
    ['self_attn.q_proj.weight', [numHeads * headDim, d]],
    ['self_attn.k_proj.weight', [numKvHeads * headDim, d]],
    ['self_attn.v_proj.weight', [numKvHeads * headDim, d]],
    ['self_attn.o_proj.weight', [d, numHeads * headDim]],
  ];
  if (config.qkvBias) {
    shapes.push(
      ['self_attn.q_proj.bias', [numHeads * headDim]],
      ['self_attn.k_proj.bias', [numKvHeads * headDim]],
      ['self_attn.v_proj.bias', [numKvHeads * headDim]],
    );
  }
  if (config.oBias) shapes.push(['self_attn.o_proj.bias', [d]]);
  if (config.mlpBias) {
    shapes.push(
      ['mlp.gate_proj.bias', [intermediateSize]],
      ['mlp.up_proj.bias', [intermediateSize]],
      ['mlp.down_proj.bias', [d]],
    );
  }
  const out = new Map<string, Tensor>([['input_layernorm.weight', keep(ones([d]))]]);
  for (const [name, shape] of shapes) out.set(name, keep(zeros(shape)));
  return out;
}
