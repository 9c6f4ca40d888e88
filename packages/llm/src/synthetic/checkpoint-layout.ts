/**
 * The tensors a Hugging Face checkpoint of a LLaMA-family config holds, named and shaped as
 * transformers' `save_pretrained` writes them, in state-dict order. The config is read by the
 * loader's own parser, so a checkpoint this writes is one the loader accepts, with the same
 * defaults and bias layout (qwen2: q/k/v; llama: all four projections with `attention_bias`, the
 * MLP with `mlp_bias`; mistral: none).
 */
import { parseHfConfig } from '../config/llama-config.js';
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

/** Reads the dimensions from a config.json object; throws naming the field that is wrong. */
export function checkpointDims(config: HfConfigJson, where = 'config.json'): CheckpointDims {
  const c = parseHfConfig(config, where);
  return {
    modelType: c.modelType,
    hidden: c.hiddenSize,
    intermediate: c.intermediateSize,
    layers: c.numLayers,
    heads: c.numHeads,
    kvHeads: c.numKvHeads,
    headDim: c.headDim,
    vocab: c.vocabSize,
    tied: c.tieWordEmbeddings,
    attentionBias: [
      ...(c.qkvBias ? (['q', 'k', 'v'] as const) : []),
      ...(c.oBias ? (['o'] as const) : []),
    ],
    mlpBias: c.mlpBias,
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
