/**
 * The `config.json` of public checkpoints, field for field, for writing random-weight stand-ins at
 * real shapes (write-random-checkpoint.ts, scripts/make-checkpoint.mts). Real weights cannot be
 * downloaded in every environment; these give real memory, speed and code paths (their perplexity
 * means nothing). Only the fields transformers reads are kept (no `transformers_version`).
 */

/** A Hugging Face `config.json` object. */
export type HfConfigJson = Record<string, unknown>;

/** Each preset mirrors the `config.json` of the public model named in its comment. */
export const CHECKPOINT_PRESETS = {
  /** HuggingFaceTB/SmolLM2-135M: 30 layers, hidden 576, 9 heads / 3 KV heads, tied, 49152 vocab. */
  'smollm2-135m': {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: 0,
    eos_token_id: 0,
    hidden_act: 'silu',
    hidden_size: 576,
    initializer_range: 0.041666666666666664,
    intermediate_size: 1536,
    max_position_embeddings: 8192,
    mlp_bias: false,
    num_attention_heads: 9,
    num_hidden_layers: 30,
    num_key_value_heads: 3,
    pretraining_tp: 1,
    rms_norm_eps: 1e-5,
    rope_scaling: null,
    rope_theta: 100000,
    tie_word_embeddings: true,
    torch_dtype: 'bfloat16',
    use_cache: true,
    vocab_size: 49152,
  },
  /** TinyLlama/TinyLlama-1.1B-Chat-v1.0: 22 layers, hidden 2048, 32 heads / 4 KV heads, untied. */
  'tinyllama-1.1b': {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    attention_bias: false,
    bos_token_id: 1,
    eos_token_id: 2,
    hidden_act: 'silu',
    hidden_size: 2048,
    initializer_range: 0.02,
    intermediate_size: 5632,
    max_position_embeddings: 2048,
    num_attention_heads: 32,
    num_hidden_layers: 22,
    num_key_value_heads: 4,
    pretraining_tp: 1,
    rms_norm_eps: 1e-5,
    rope_scaling: null,
    rope_theta: 10000.0,
    tie_word_embeddings: false,
    torch_dtype: 'bfloat16',
    use_cache: true,
    vocab_size: 32000,
  },
  /**
   * meta-llama/Llama-3.2-1B: 16 layers, hidden 2048, 32 heads / 8 KV heads (head_dim 64), tied,
   * 128256 vocab, llama3 RoPE scaling (factor 32) over θ 500000, 131072 context.
   */
  'llama-3.2-1b': {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: 128000,
    eos_token_id: 128001,
    head_dim: 64,
    hidden_act: 'silu',
    hidden_size: 2048,
    initializer_range: 0.02,
    intermediate_size: 8192,
    max_position_embeddings: 131072,
    mlp_bias: false,
    num_attention_heads: 32,
    num_hidden_layers: 16,
    num_key_value_heads: 8,
    pretraining_tp: 1,
    rms_norm_eps: 1e-5,
    rope_scaling: {
      factor: 32.0,
      high_freq_factor: 4.0,
      low_freq_factor: 1.0,
      original_max_position_embeddings: 8192,
      rope_type: 'llama3',
    },
    rope_theta: 500000.0,
    tie_word_embeddings: true,
    torch_dtype: 'bfloat16',
    use_cache: true,
    vocab_size: 128256,
  },
  /**
   * Qwen/Qwen2.5-0.5B: qwen2, 24 layers, hidden 896, 14 heads / 2 KV heads, q/k/v biases, tied,
   * 151936 vocab, θ 1000000.
   */
  'qwen2.5-0.5b': {
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    attention_dropout: 0.0,
    bos_token_id: 151643,
    eos_token_id: 151643,
    hidden_act: 'silu',
    hidden_size: 896,
    initializer_range: 0.02,
    intermediate_size: 4864,
    max_position_embeddings: 32768,
    max_window_layers: 24,
    num_attention_heads: 14,
    num_hidden_layers: 24,
    num_key_value_heads: 2,
    rms_norm_eps: 1e-6,
    rope_theta: 1000000.0,
    sliding_window: 32768,
    tie_word_embeddings: true,
    torch_dtype: 'bfloat16',
    use_cache: true,
    use_sliding_window: false,
    vocab_size: 151936,
  },
  /** mistralai/Mistral-7B-v0.1: 32 layers, hidden 4096, 32 heads / 8 KV heads, sliding window 4096. */
  'mistral-7b': {
    architectures: ['MistralForCausalLM'],
    model_type: 'mistral',
    bos_token_id: 1,
    eos_token_id: 2,
    hidden_act: 'silu',
    hidden_size: 4096,
    initializer_range: 0.02,
    intermediate_size: 14336,
    max_position_embeddings: 32768,
    num_attention_heads: 32,
    num_hidden_layers: 32,
    num_key_value_heads: 8,
    rms_norm_eps: 1e-5,
    rope_theta: 10000.0,
    sliding_window: 4096,
    tie_word_embeddings: false,
    torch_dtype: 'bfloat16',
    use_cache: true,
    vocab_size: 32000,
  },
  /**
   * meta-llama/Llama-2-7b-hf: 32 layers, hidden 4096, 32 heads (no GQA), untied, 4096 context;
   * stored as float16 (its config has no rope_theta: the default 10000).
   */
  'llama-2-7b': {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    bos_token_id: 1,
    eos_token_id: 2,
    hidden_act: 'silu',
    hidden_size: 4096,
    initializer_range: 0.02,
    intermediate_size: 11008,
    max_position_embeddings: 4096,
    num_attention_heads: 32,
    num_hidden_layers: 32,
    num_key_value_heads: 32,
    pretraining_tp: 1,
    rms_norm_eps: 1e-5,
    rope_scaling: null,
    tie_word_embeddings: false,
    torch_dtype: 'float16',
    use_cache: true,
    vocab_size: 32000,
  },
} as const satisfies Record<string, HfConfigJson>;

export type CheckpointPresetName = keyof typeof CHECKPOINT_PRESETS;

/** A preset's config.json as a fresh mutable object, or an error listing the presets. */
export function checkpointPreset(name: string): HfConfigJson {
  if (!Object.hasOwn(CHECKPOINT_PRESETS, name)) {
    throw new Error(
      `unknown checkpoint preset "${name}"; known: ${Object.keys(CHECKPOINT_PRESETS).join(', ')}`,
    );
  }
  return structuredClone(CHECKPOINT_PRESETS[name as CheckpointPresetName]) as HfConfigJson;
}
