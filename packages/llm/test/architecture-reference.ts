/**
 * An independent oracle for the LLaMA-family architectures (not a test file): tiny random
 * checkpoints written as Hugging Face folders, and a naive float64 forward pass in plain loops,
 * written from the HF modelling code (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM),
 * sharing nothing with src/ but the config.json it reads.
 */

import { randomArray } from '@llm-streamline/test-utils';
import { concatChunks, writeSafetensors } from '../src/io/safetensors-writer.js';

export type HfConfigJson = Record<string, unknown>;
export type Weights = Map<string, { shape: number[]; data: Float32Array }>;

const num = (c: HfConfigJson, key: string, fallback?: number): number => {
  const v = c[key] ?? fallback;
  if (typeof v !== 'number') throw new Error(`reference: ${key} missing`);
  return v;
};

/** The sizes of a config.json, with the HF defaults our tiny configs rely on. */
export function sizes(c: HfConfigJson) {
  const hidden = num(c, 'hidden_size');
  const heads = num(c, 'num_attention_heads');
  return {
    hidden,
    heads,
    kvHeads: num(c, 'num_key_value_heads', heads),
    headDim: num(c, 'head_dim', hidden / heads),
    inter: num(c, 'intermediate_size'),
    layers: num(c, 'num_hidden_layers'),
    vocab: num(c, 'vocab_size'),
    eps: num(c, 'rms_norm_eps', 1e-6),
  };
}

/** Which projections carry biases, as the HF modelling code of `model_type` decides. */
export function biases(c: HfConfigJson): { qkv: boolean; o: boolean; mlp: boolean } {
  if (c.model_type === 'qwen2') return { qkv: true, o: false, mlp: false };
  if (c.model_type === 'mistral') return { qkv: false, o: false, mlp: false };
  const a = c.attention_bias === true;
  return { qkv: a, o: a, mlp: c.mlp_bias === true };
}

/** Random f32 weights for every tensor of the checkpoint `c` describes, HF names and shapes. */
export function randomWeights(c: HfConfigJson, seed: number): Weights {
  const { hidden: d, heads, kvHeads, headDim, inter, layers, vocab } = sizes(c);
  const b = biases(c);
  const out: Weights = new Map();
  let s = seed;
  const put = (name: string, shape: number[], lo: number, hi: number) =>
    out.set(name, {
      shape,
      data: randomArray(
        shape.reduce((a, x) => a * x, 1),
        s++,
        lo,
        hi,
      ),
    });
  const w = (name: string, shape: number[]) => put(name, shape, -0.3, 0.3);
  const norm = (name: string) => put(name, [d], 0.8, 1.2);
  put('model.embed_tokens.weight', [vocab, d], -1, 1);
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}`;
    norm(`${p}.input_layernorm.weight`);
    norm(`${p}.post_attention_layernorm.weight`);
    const proj: [string, number, number, boolean][] = [
      ['self_attn.q_proj', heads * headDim, d, b.qkv],
      ['self_attn.k_proj', kvHeads * headDim, d, b.qkv],
      ['self_attn.v_proj', kvHeads * headDim, d, b.qkv],
      ['self_attn.o_proj', d, heads * headDim, b.o],
      ['mlp.gate_proj', inter, d, b.mlp],
      ['mlp.up_proj', inter, d, b.mlp],
      ['mlp.down_proj', d, inter, b.mlp],
    ];
    for (const [name, rows, cols, bias] of proj) {
      w(`${p}.${name}.weight`, [rows, cols]);
      if (bias) put(`${p}.${name}.bias`, [rows], -0.2, 0.2);
    }
  }
  norm('model.norm.weight');
  if (c.tie_word_embeddings !== true) w('lm_head.weight', [vocab, d]);
  return out;
}

/** The files of an HF folder: config.json and model.safetensors (F32). */
export function hfFiles(c: HfConfigJson, weights: Weights): Record<string, Uint8Array> {
  const tensors = [...weights].map(([name, t]) => ({
    name,
    dtype: 'F32' as const,
    shape: t.shape,
    data: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
  }));
  return {
    'config.json': new TextEncoder().encode(JSON.stringify(c, null, 2)),
    'model.safetensors': concatChunks(writeSafetensors(tensors)),
  };
}

/** HF's inverse frequencies (rope init functions), in float64: default, linear, llama3. */
export function referenceInvFreq(c: HfConfigJson, headDim: number): number[] {
  const theta = num(c, 'rope_theta', 10000);
  const inv = Array.from({ length: headDim / 2 }, (_, i) => 1 / theta ** ((2 * i) / headDim));
  const s = c.rope_scaling as Record<string, number | string> | null | undefined;
  const type = s ? (s.rope_type ?? s.type) : 'default';
  if (!s || type === 'default') return inv;
  const factor = s.factor as number;
  if (type === 'linear') return inv.map((f) => f / factor);
  if (type !== 'llama3') throw new Error(`reference: rope type ${type}`);
  const old = s.original_max_position_embeddings as number;
  const low = s.low_freq_factor as number;
  const high = s.high_freq_factor as number;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < old / high) return f;
    if (wavelen > old / low) return f / factor;
    const smooth = (old / wavelen - low) / (high - low);
    return ((1 - smooth) * f) / factor + smooth * f;
  });
}

/** The sliding window of layer `l` (undefined: full causal attention), by HF's rules. */
export function referenceWindow(c: HfConfigJson, l: number): number | undefined {
  const window = c.sliding_window as number | null | undefined;
  if (c.model_type === 'mistral') return window ?? undefined;
  if (c.model_type !== 'qwen2' || c.use_sliding_window !== true || window == null) return undefined;
  const types = c.layer_types as string[] | undefined;
  const sliding = types ? types[l] === 'sliding_attention' : l >= num(c, 'max_window_layers', 28);
  return sliding ? window : undefined;
}

/** y = W x (+ b), W [rows, cols] row-major. */
function affine(w: Float32Array, b: Float32Array | undefined, x: Float64Array, rows: number) {
  const cols = x.length;
  const y = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let acc = b ? (b[r] as number) : 0;
    for (let k = 0; k < cols; k++) acc += (w[r * cols + k] as number) * (x[k] as number);
    y[r] = acc;
  }
  return y;
}

function rmsNorm(x: Float64Array, w: Float32Array, eps: number): Float64Array {
  let ms = 0;
  for (const v of x) ms += v * v;
  const inv = 1 / Math.sqrt(ms / x.length + eps);
  return x.map((v, i) => v * inv * (w[i] as number));
}

/** Rotate-half RoPE of one head vector at position `pos`, in place. */
function rope(x: Float64Array, at: number, headDim: number, pos: number, inv: number[]) {
  const half = headDim / 2;
  for (let i = 0; i < half; i++) {
    const a = pos * (inv[i] as number);
    const x1 = x[at + i] as number;
    const x2 = x[at + i + half] as number;
    x[at + i] = x1 * Math.cos(a) - x2 * Math.sin(a);
    x[at + i + half] = x2 * Math.cos(a) + x1 * Math.sin(a);
  }
}

/**
 * Logits [T × V] of one token sequence: embedding; per layer RMSNorm, q/k/v (+ biases), RoPE,
 * grouped-query causal attention (within the layer's window), o_proj, residual, RMSNorm, SwiGLU
 * (+ biases), residual; final RMSNorm; the head (the embedding when tied). All in float64.
 */
export function referenceLogits(c: HfConfigJson, weights: Weights, ids: number[]): Float64Array {
  const { hidden: d, heads, kvHeads, headDim, inter, layers, vocab, eps } = sizes(c);
  const get = (name: string) => weights.get(name)?.data as Float32Array;
  const opt = (name: string) => weights.get(name)?.data;
  const inv = referenceInvFreq(c, headDim);
  const T = ids.length;
  let x = ids.map((id) =>
    Float64Array.from(get('model.embed_tokens.weight').subarray(id * d, (id + 1) * d)),
  );
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}`;
    const lin = (name: string, v: Float64Array, rows: number) =>
      affine(get(`${p}.${name}.weight`), opt(`${p}.${name}.bias`), v, rows);
    const normed = x.map((v) => rmsNorm(v, get(`${p}.input_layernorm.weight`), eps));
    const q = normed.map((v) => lin('self_attn.q_proj', v, heads * headDim));
    const k = normed.map((v) => lin('self_attn.k_proj', v, kvHeads * headDim));
    const vv = normed.map((v) => lin('self_attn.v_proj', v, kvHeads * headDim));
    for (let t = 0; t < T; t++) {
      for (let h = 0; h < heads; h++) rope(q[t] as Float64Array, h * headDim, headDim, t, inv);
      for (let h = 0; h < kvHeads; h++) rope(k[t] as Float64Array, h * headDim, headDim, t, inv);
    }
    const window = referenceWindow(c, l);
    const group = heads / kvHeads;
    x = x.map((resid, t) => {
      const ctx = new Float64Array(heads * headDim);
      for (let h = 0; h < heads; h++) {
        const kvh = Math.floor(h / group);
        // Key s is visible to query t iff t − window < s ≤ t.
        const first = window === undefined ? 0 : Math.max(0, t - window + 1);
        const scores: number[] = [];
        for (let s = first; s <= t; s++) {
          let dot = 0;
          for (let e = 0; e < headDim; e++)
            dot +=
              ((q[t] as Float64Array)[h * headDim + e] as number) *
              ((k[s] as Float64Array)[kvh * headDim + e] as number);
          scores.push(dot / Math.sqrt(headDim));
        }
        const m = Math.max(...scores);
        const e = scores.map((z) => Math.exp(z - m));
        const sum = e.reduce((a, z) => a + z, 0);
        for (let s = first; s <= t; s++) {
          const pr = (e[s - first] as number) / sum;
          for (let j = 0; j < headDim; j++)
            ctx[h * headDim + j] =
              (ctx[h * headDim + j] as number) +
              pr * ((vv[s] as Float64Array)[kvh * headDim + j] as number);
        }
      }
      const attn = lin('self_attn.o_proj', ctx, d);
      const h1 = resid.map((v, i) => v + (attn[i] as number));
      const n2 = rmsNorm(h1, get(`${p}.post_attention_layernorm.weight`), eps);
      const gate = lin('mlp.gate_proj', n2, inter);
      const up = lin('mlp.up_proj', n2, inter);
      const act = gate.map((g, i) => (g / (1 + Math.exp(-g))) * (up[i] as number));
      const down = lin('mlp.down_proj', act, d);
      return h1.map((v, i) => v + (down[i] as number));
    });
  }
  const head = opt('lm_head.weight') ?? get('model.embed_tokens.weight');
  const out = new Float64Array(T * vocab);
  x.forEach((v, t) => {
    out.set(affine(head, undefined, rmsNorm(v, get('model.norm.weight'), eps), vocab), t * vocab);
  });
  return out;
}
