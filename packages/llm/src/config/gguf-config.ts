/**
 * LlamaConfig from GGUF metadata (`llama.*` keys) and tensor presence.
 */
import { type GgufFile, ggufGet } from '../io/gguf.js';
import { type LlamaConfig, validateLlamaConfig } from './llama-config.js';
import { shortestFloat32 } from './shortest-float32.js';

/** Builds the model config from a parsed GGUF file (architecture "llama" only). */
export function llamaConfigFromGguf(gguf: GgufFile): LlamaConfig {
  const file = gguf.source.name;
  const arch = ggufGet(gguf, 'general.architecture', 'string');
  if (arch !== 'llama') {
    throw new Error(
      `${file}: unsupported general.architecture ${JSON.stringify(arch)}; only "llama" is supported`,
    );
  }
  if (gguf.tensors.size === 0) {
    throw new Error(
      `${file}: the GGUF holds no tensors (a vocabulary-only file?); a model needs its weights`,
    );
  }
  const required = (key: string): number => {
    const value = ggufGet(gguf, `llama.${key}`, 'number');
    if (value === undefined) throw new Error(`${file}: missing metadata "llama.${key}"`);
    return value;
  };
  const optional = (key: string): number | undefined => ggufGet(gguf, key, 'number');

  const hiddenSize = required('embedding_length');
  const numHeads = required('attention.head_count');
  const headDim = optional('llama.attention.key_length') ?? hiddenSize / numHeads;
  const ropeDims = optional('llama.rope.dimension_count') ?? headDim;
  if (ropeDims !== headDim) {
    throw new Error(
      `${file}: llama.rope.dimension_count ${ropeDims} differs from the head size ${headDim} (partial RoPE is not supported)`,
    );
  }
  const scalingType = ggufGet(gguf, 'llama.rope.scaling.type', 'string');
  if (scalingType !== undefined && scalingType !== 'none') {
    throw new Error(`${file}: unsupported llama.rope.scaling.type ${JSON.stringify(scalingType)}`);
  }
  if (gguf.tensors.has('rope_freqs.weight')) {
    // Llama 3.1 scaling is baked into a rope_freqs tensor; its parameters are not in the metadata.
    throw new Error(`${file}: tensor "rope_freqs.weight" (Llama 3 RoPE scaling) is not supported`);
  }
  const tokens = gguf.kv.get('tokenizer.ggml.tokens');
  const embedding = gguf.tensors.get('token_embd.weight');
  const vocabSize =
    optional('llama.vocab_size') ??
    (Array.isArray(tokens) ? tokens.length : undefined) ??
    embedding?.shape[0];
  if (vocabSize === undefined) throw new Error(`${file}: cannot determine the vocabulary size`);
  const eps = optional('llama.attention.layer_norm_rms_epsilon');

  const config: LlamaConfig = {
    modelType: 'llama',
    hiddenSize,
    intermediateSize: required('feed_forward_length'),
    numLayers: required('block_count'),
    numHeads,
    numKvHeads: optional('llama.attention.head_count_kv') ?? numHeads,
    headDim,
    // Stored as float32; report the short decimal a config.json would have (1e-5, not 9.9999997e-6).
    rmsNormEps: eps === undefined ? 1e-5 : shortestFloat32(eps),
    ropeTheta: shortestFloat32(optional('llama.rope.freq_base') ?? 10000),
    tieWordEmbeddings: !gguf.tensors.has('output.weight'),
    vocabSize,
    bosTokenId: optional('tokenizer.ggml.bos_token_id') ?? 1,
    eosTokenId: optional('tokenizer.ggml.eos_token_id') ?? 2,
    qkvBias: gguf.tensors.has('blk.0.attn_q.bias'),
    oBias: gguf.tensors.has('blk.0.attn_output.bias'),
    mlpBias: gguf.tensors.has('blk.0.ffn_up.bias'),
    maxPositionEmbeddings: optional('llama.context_length') ?? 2048,
  };
  validateLlamaConfig(config, file);
  return config;
}
