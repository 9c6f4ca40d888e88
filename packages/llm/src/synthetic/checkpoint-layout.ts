/**
 * The tensors a Hugging Face checkpoint of a LLaMA-family config holds, named and shaped as
 * transformers' `save_pretrained` writes them, in state-dict order. Read from the raw config.json
 * (not LlamaConfig) so that configs this package cannot run yet (qwen2, mistral) can still be
 * written: qwen2 has q/k/v biases; llama has biases on all four projections with
 * `attention_bias` and on the MLP with `mlp_bias`; mistral has none.
 */
import {
  HF_EMBED_TOKENS,
  HF_FINAL_NORM,
  HF_LM_HEAD,
  hfLayerTensorName,
} from '../io/weight-names.js';
import type { HfConfigJson } from './checkpoint-presets.js';

/** How a tensor's values are made: random normal (weights, biases) or ones (RMSNorm weights). */
export type TensorInit = 'normal' | 'ones';

/** One tensor of the checkpoint: HF name, shape, and how it is filled. */
export interface CheckpointTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: TensorInit;
}

/** The dimensions a checkpoint's tensors follow, read from config.json. */
export interface CheckpointDims {
  modelType: string;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  tied: boolean;
  /** Which attention projections carry a bias. */
  attentionBias: readonly ('q' | 'k' | 'v' | 'o')[];
  mlpBias: boolean;
}

const MODEL_TYPES = new Set(['llama', 'mistral', 'qwen2']);

/** Reads the dimensions from a config.json object; throws naming the field that is wrong. */
export function checkpointDims(config: HfConfigJson, where = 'config.json'): CheckpointDims {
  const modelType = config.model_type;
  if (typeof modelType !== 'string' || !MODEL_TYPES.has(modelType)) {
    throw new Error(
      `${where}: model_type ${JSON.stringify(modelType)} is not one of ${[...MODEL_TYPES].join(', ')}`,
    );
  }
  const int = (key: string, fallback?: number): number => {
    const v = config[key] ?? fallback;
    if (!Number.isSafeInteger(v) || (v as number) <= 0)
      throw new Error(`${where}: ${key} must be a positive integer, found ${JSON.stringify(v)}`);
    return v as number;
  };
  const hidden = int('hidden_size');
  const heads = int('num_attention_heads');
  const llamaBias = modelType === 'llama' && config.attention_bias === true;
  return {
    modelType,
    hidden,
    intermediate: int('intermediate_size'),
    layers: int('num_hidden_layers'),
    heads,
    kvHeads: int('num_key_value_heads', heads),
    headDim: int('head_dim', Math.floor(hidden / heads)),
    vocab: int('vocab_size'),
    // transformers' default is tied for qwen2 (Qwen2Config) and untied for llama and mistral.
    tied: (config.tie_word_embeddings ?? modelType === 'qwen2') === true,
    attentionBias: modelType === 'qwen2' ? ['q', 'k', 'v'] : llamaBias ? ['q', 'k', 'v', 'o'] : [],
    mlpBias: modelType === 'llama' && config.mlp_bias === true,
  };
}

/** Every tensor of the checkpoint, in the order transformers' state dict lists them. */
export function checkpointLayout(d: CheckpointDims): CheckpointTensor[] {
  const q = d.heads * d.headDim;
  const kv = d.kvHeads * d.headDim;
  const out: CheckpointTensor[] = [
    { name: HF_EMBED_TOKENS, shape: [d.vocab, d.hidden], init: 'normal' },
  ];
  for (let l = 0; l < d.layers; l++) {
    const projections = [
      ['q', [q, d.hidden]],
      ['k', [kv, d.hidden]],
      ['v', [kv, d.hidden]],
      ['o', [d.hidden, q]],
    ] as const;
    for (const [role, shape] of projections) {
      out.push({ name: hfLayerTensorName(l, role), shape, init: 'normal' });
      if (d.attentionBias.includes(role))
        out.push({ name: hfLayerTensorName(l, role, 'bias'), shape: [shape[0]], init: 'normal' });
    }
    const mlp = [
      ['gate', [d.intermediate, d.hidden]],
      ['up', [d.intermediate, d.hidden]],
      ['down', [d.hidden, d.intermediate]],
    ] as const;
    for (const [role, shape] of mlp) {
      out.push({ name: hfLayerTensorName(l, role), shape, init: 'normal' });
      if (d.mlpBias)
        out.push({ name: hfLayerTensorName(l, role, 'bias'), shape: [shape[0]], init: 'normal' });
    }
    out.push({ name: hfLayerTensorName(l, 'inputNorm'), shape: [d.hidden], init: 'ones' });
    out.push({ name: hfLayerTensorName(l, 'postAttentionNorm'), shape: [d.hidden], init: 'ones' });
  }
  out.push({ name: HF_FINAL_NORM, shape: [d.hidden], init: 'ones' });
  if (!d.tied) out.push({ name: HF_LM_HEAD, shape: [d.vocab, d.hidden], init: 'normal' });
  return out;
}
