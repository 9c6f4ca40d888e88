/**
 * Mapping of tensor names from GGUF and llama2.c checkpoints to the Hugging
 * Face LlamaForCausalLM names, which the rest of the code base uses.
 *
 * Remember that GGUF and llama2.c store q_proj/k_proj rows in the
 * interleaved RoPE layout: after renaming, those two weights also need
 * `interleavedToHalfRotary` (rope-layout.ts); `isRotaryProjection` tells which.
 */

/** HF names of the per-layer tensors, by role. */
export const HF_LAYER_TENSORS = {
  inputNorm: 'input_layernorm',
  q: 'self_attn.q_proj',
  k: 'self_attn.k_proj',
  v: 'self_attn.v_proj',
  o: 'self_attn.o_proj',
  postAttentionNorm: 'post_attention_layernorm',
  gate: 'mlp.gate_proj',
  up: 'mlp.up_proj',
  down: 'mlp.down_proj',
} as const;

export type HfLayerTensor = keyof typeof HF_LAYER_TENSORS;

export const HF_EMBED_TOKENS = 'model.embed_tokens.weight';
export const HF_FINAL_NORM = 'model.norm.weight';
export const HF_LM_HEAD = 'lm_head.weight';

/** `model.layers.{layer}.{module}.{weight|bias}` */
export function hfLayerTensorName(
  layer: number,
  role: HfLayerTensor,
  param: 'weight' | 'bias' = 'weight',
): string {
  return `model.layers.${layer}.${HF_LAYER_TENSORS[role]}.${param}`;
}

const GGUF_LAYER_ROLES: Record<string, HfLayerTensor> = {
  attn_norm: 'inputNorm',
  attn_q: 'q',
  attn_k: 'k',
  attn_v: 'v',
  attn_output: 'o',
  ffn_norm: 'postAttentionNorm',
  ffn_gate: 'gate',
  ffn_up: 'up',
  ffn_down: 'down',
};

const GGUF_GLOBAL: Record<string, string> = {
  'token_embd.weight': HF_EMBED_TOKENS,
  'output_norm.weight': HF_FINAL_NORM,
  'output.weight': HF_LM_HEAD,
};

/**
 * HF name for a GGUF (llama architecture) tensor name, e.g.
 * `blk.3.attn_q.weight` → `model.layers.3.self_attn.q_proj.weight`.
 * Returns `undefined` for tensors with no HF counterpart (e.g. `rope_freqs.weight`).
 */
export function hfNameFromGguf(name: string): string | undefined {
  const global = GGUF_GLOBAL[name];
  if (global) return global;
  const match = /^blk\.(\d+)\.([a-z_]+)\.(weight|bias)$/.exec(name);
  if (!match) return undefined;
  const role = GGUF_LAYER_ROLES[match[2] as string];
  return role
    ? hfLayerTensorName(Number(match[1]), role, match[3] as 'weight' | 'bias')
    : undefined;
}

const LLAMA2C_LAYER_ROLES: Record<string, HfLayerTensor> = {
  rms_att_weight: 'inputNorm',
  wq: 'q',
  wk: 'k',
  wv: 'v',
  wo: 'o',
  rms_ffn_weight: 'postAttentionNorm',
  w1: 'gate',
  w2: 'down',
  w3: 'up',
};

const LLAMA2C_GLOBAL: Record<string, string> = {
  token_embedding_table: HF_EMBED_TOKENS,
  rms_final_weight: HF_FINAL_NORM,
  wcls: HF_LM_HEAD,
};

/**
 * HF name for a llama2.c record name (see llama2c.ts), e.g. `w1.2` →
 * `model.layers.2.mlp.gate_proj.weight`. `undefined` for the freq_cis tables,
 * which HF recomputes from rope_theta.
 */
export function hfNameFromLlama2c(name: string): string | undefined {
  const global = LLAMA2C_GLOBAL[name];
  if (global) return global;
  const match = /^([a-z_0-9]+)\.(\d+)$/.exec(name);
  if (!match) return undefined;
  const role = LLAMA2C_LAYER_ROLES[match[1] as string];
  return role ? hfLayerTensorName(Number(match[2]), role) : undefined;
}

/** True for HF q_proj/k_proj parameters, whose rows depend on the RoPE layout. */
export function isRotaryProjection(hfName: string): 'q' | 'k' | undefined {
  const match = /\.self_attn\.([qk])_proj\.(weight|bias)$/.exec(hfName);
  return match ? (match[1] as 'q' | 'k') : undefined;
}

/** The parts a LLaMA's parameters are counted in. */
export type WeightPart = 'embedding' | 'attention' | 'mlp' | 'norms' | 'head';

const LAYER_MODULES = new Set<string>(Object.values(HF_LAYER_TENSORS));

/** HF modules are named by part: `self_attn.*`, `mlp.*`, and the two `*_layernorm`s. */
function partOfModule(module: string): WeightPart {
  if (module.startsWith('self_attn.')) return 'attention';
  if (module.startsWith('mlp.')) return 'mlp';
  return 'norms';
}

/**
 * The part an HF parameter belongs to, with its layer for per-layer tensors, e.g.
 * `model.layers.3.mlp.up_proj.weight` → `{ part: 'mlp', layer: 3 }`; `undefined` for a name that
 * is not a LLaMA parameter.
 */
export function weightPart(hfName: string): { part: WeightPart; layer?: number } | undefined {
  if (hfName === HF_EMBED_TOKENS) return { part: 'embedding' };
  if (hfName === HF_LM_HEAD) return { part: 'head' };
  if (hfName === HF_FINAL_NORM) return { part: 'norms' };
  const match = /^model\.layers\.(\d+)\.(.+)\.(weight|bias)$/.exec(hfName);
  const module = match?.[2];
  if (!match || module === undefined || !LAYER_MODULES.has(module)) return undefined;
  return { part: partOfModule(module), layer: Number(match[1]) };
}
