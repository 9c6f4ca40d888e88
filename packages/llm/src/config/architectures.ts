/**
 * The Hugging Face decoder architectures we run, and how each differs from plain LLaMA. All three
 * are the same pre-norm decoder (RMSNorm, RoPE in the rotate-half layout, grouped-query attention,
 * SwiGLU); they differ only in which projections carry a bias, in the sliding attention window,
 * and in the defaults their HF config classes apply to fields a config.json leaves out.
 */

export type ModelType = 'llama' | 'mistral' | 'qwen2';

export interface Architecture {
  /** The `architectures` entry of a causal LM checkpoint. */
  causalLm: string;
  /**
   * Which projections carry a bias, from the config fields the HF modelling code reads:
   * LLaMA's `attention_bias` biases q, k, v and o, its `mlp_bias` gate, up and down; Qwen2 always
   * biases q, k, v and never o; Mistral has no biases.
   */
  biases(read: (key: 'attention_bias' | 'mlp_bias') => boolean): {
    qkvBias: boolean;
    oBias: boolean;
    mlpBias: boolean;
  };
  /** The HF config class's defaults for fields a config.json may omit. */
  defaults: {
    numKvHeads: (numHeads: number) => number;
    maxPositionEmbeddings: number;
    bosTokenId: number | null;
  };
  /**
   * Where the sliding attention window comes from: nowhere (LLaMA); `sliding_window` for every
   * layer (Mistral); `sliding_window` when `use_sliding_window`, for the layers from
   * `max_window_layers` on (Qwen2). An explicit `layer_types` list overrides the per-layer choice.
   */
  window: 'none' | 'mistral' | 'qwen2';
}

export const ARCHITECTURES: Record<ModelType, Architecture> = {
  llama: {
    causalLm: 'LlamaForCausalLM',
    biases: (read) => {
      const attention = read('attention_bias');
      return { qkvBias: attention, oBias: attention, mlpBias: read('mlp_bias') };
    },
    defaults: { numKvHeads: (h) => h, maxPositionEmbeddings: 2048, bosTokenId: 1 },
    window: 'none',
  },
  mistral: {
    causalLm: 'MistralForCausalLM',
    biases: () => ({ qkvBias: false, oBias: false, mlpBias: false }),
    defaults: { numKvHeads: () => 8, maxPositionEmbeddings: 4096 * 32, bosTokenId: 1 },
    window: 'mistral',
  },
  qwen2: {
    causalLm: 'Qwen2ForCausalLM',
    biases: () => ({ qkvBias: true, oBias: false, mlpBias: false }),
    defaults: { numKvHeads: () => 32, maxPositionEmbeddings: 32768, bosTokenId: null },
    window: 'qwen2',
  },
};

export function isModelType(value: unknown): value is ModelType {
  return typeof value === 'string' && Object.hasOwn(ARCHITECTURES, value);
}
