import { describe, expect, it } from 'vitest';
import { halfToInterleavedRotary, interleavedToHalfRotary } from '../src/io/rope-layout.js';
import {
  hfLayerTensorName,
  hfNameFromGguf,
  hfNameFromLlama2c,
  isRotaryProjection,
} from '../src/io/weight-names.js';

function seeded(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
}

function matvec(w: Float32Array, x: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += (w[r * cols + c] as number) * (x[c] as number);
    out[r] = s;
  }
  return out;
}

/** Meta / llama2.c RoPE: rotate pairs (2i, 2i+1) of each head. */
function ropeInterleaved(
  q: Float64Array,
  nHeads: number,
  headDim: number,
  pos: number,
  theta: number,
): Float64Array {
  const out = new Float64Array(q);
  for (let h = 0; h < nHeads; h++) {
    for (let i = 0; i < headDim / 2; i++) {
      const angle = pos * theta ** (-(2 * i) / headDim);
      const a = h * headDim + 2 * i;
      const [x0, x1] = [q[a] as number, q[a + 1] as number];
      out[a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
      out[a + 1] = x0 * Math.sin(angle) + x1 * Math.cos(angle);
    }
  }
  return out;
}

/** Hugging Face RoPE: q·cos + rotate_half(q)·sin, pairs (i, i + d/2). */
function ropeRotateHalf(
  q: Float64Array,
  nHeads: number,
  headDim: number,
  pos: number,
  theta: number,
): Float64Array {
  const out = new Float64Array(q);
  const half = headDim / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let i = 0; i < half; i++) {
      const angle = pos * theta ** (-(2 * i) / headDim);
      const a = h * headDim + i;
      const [x0, x1] = [q[a] as number, q[a + half] as number];
      out[a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
      out[a + half] = x1 * Math.cos(angle) + x0 * Math.sin(angle);
    }
  }
  return out;
}

describe('interleavedToHalfRotary', () => {
  const nHeads = 4;
  const nKvHeads = 2;
  const headDim = 8;
  const dim = 24;
  const rand = seeded(7);
  const wq = Float32Array.from({ length: nHeads * headDim * dim }, rand);
  const wk = Float32Array.from({ length: nKvHeads * headDim * dim }, rand);
  const x = Float64Array.from({ length: dim }, rand);
  const y = Float64Array.from({ length: dim }, rand);

  it('rotate-half RoPE on permuted weights equals interleaved RoPE, pair for pair', () => {
    const wqHalf = interleavedToHalfRotary(wq, nHeads, headDim, dim);
    for (const pos of [0, 1, 5, 37]) {
      const inter = ropeInterleaved(
        matvec(wq, x, nHeads * headDim, dim),
        nHeads,
        headDim,
        pos,
        10000,
      );
      const half = ropeRotateHalf(
        matvec(wqHalf, x, nHeads * headDim, dim),
        nHeads,
        headDim,
        pos,
        10000,
      );
      for (let h = 0; h < nHeads; h++) {
        for (let i = 0; i < headDim / 2; i++) {
          expect(half[h * headDim + i]).toBeCloseTo(inter[h * headDim + 2 * i] as number, 10);
          expect(half[h * headDim + i + headDim / 2]).toBeCloseTo(
            inter[h * headDim + 2 * i + 1] as number,
            10,
          );
        }
      }
    }
  });

  it('attention scores q·k (GQA) are identical in both layouts', () => {
    const wqHalf = interleavedToHalfRotary(wq, nHeads, headDim, dim);
    const wkHalf = interleavedToHalfRotary(wk, nKvHeads, headDim, dim);
    const score = (q: Float64Array, k: Float64Array, h: number) => {
      const kvh = Math.floor(h / (nHeads / nKvHeads));
      let s = 0;
      for (let d = 0; d < headDim; d++)
        s += (q[h * headDim + d] as number) * (k[kvh * headDim + d] as number);
      return s;
    };
    const [qPos, kPos] = [9, 4];
    const qi = ropeInterleaved(matvec(wq, x, nHeads * headDim, dim), nHeads, headDim, qPos, 10000);
    const ki = ropeInterleaved(
      matvec(wk, y, nKvHeads * headDim, dim),
      nKvHeads,
      headDim,
      kPos,
      10000,
    );
    const qh = ropeRotateHalf(
      matvec(wqHalf, x, nHeads * headDim, dim),
      nHeads,
      headDim,
      qPos,
      10000,
    );
    const kh = ropeRotateHalf(
      matvec(wkHalf, y, nKvHeads * headDim, dim),
      nKvHeads,
      headDim,
      kPos,
      10000,
    );
    for (let h = 0; h < nHeads; h++) expect(score(qh, kh, h)).toBeCloseTo(score(qi, ki, h), 10);
  });

  it('moves row 2i to i and 2i+1 to i + headDim/2 within each head; the inverse undoes it', () => {
    const rows = Float32Array.from({ length: 2 * 4 }, (_, i) => i); // 2 heads × headDim 4 × 1 column
    expect([...interleavedToHalfRotary(rows, 2, 4, 1)]).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    expect(
      halfToInterleavedRotary(
        interleavedToHalfRotary(wq, nHeads, headDim, dim),
        nHeads,
        headDim,
        dim,
      ),
    ).toEqual(wq);
    expect(() => interleavedToHalfRotary(wq, nHeads, headDim, dim + 1)).toThrow(
      /expected nHeads 4 × headDim 8 × inFeatures 25/,
    );
  });
});

describe('weight names', () => {
  it('maps GGUF names to HF names', () => {
    expect(hfNameFromGguf('token_embd.weight')).toBe('model.embed_tokens.weight');
    expect(hfNameFromGguf('output_norm.weight')).toBe('model.norm.weight');
    expect(hfNameFromGguf('output.weight')).toBe('lm_head.weight');
    expect(hfNameFromGguf('blk.3.attn_q.weight')).toBe('model.layers.3.self_attn.q_proj.weight');
    expect(hfNameFromGguf('blk.3.attn_output.weight')).toBe(
      'model.layers.3.self_attn.o_proj.weight',
    );
    expect(hfNameFromGguf('blk.10.ffn_gate.weight')).toBe('model.layers.10.mlp.gate_proj.weight');
    expect(hfNameFromGguf('blk.0.ffn_down.weight')).toBe('model.layers.0.mlp.down_proj.weight');
    expect(hfNameFromGguf('blk.0.attn_norm.weight')).toBe('model.layers.0.input_layernorm.weight');
    expect(hfNameFromGguf('blk.0.ffn_norm.weight')).toBe(
      'model.layers.0.post_attention_layernorm.weight',
    );
    expect(hfNameFromGguf('blk.0.attn_k.bias')).toBe('model.layers.0.self_attn.k_proj.bias');
    expect(hfNameFromGguf('rope_freqs.weight')).toBeUndefined();
  });

  it('maps llama2.c names to HF names', () => {
    expect(hfNameFromLlama2c('token_embedding_table')).toBe('model.embed_tokens.weight');
    expect(hfNameFromLlama2c('w1.2')).toBe('model.layers.2.mlp.gate_proj.weight');
    expect(hfNameFromLlama2c('w2.2')).toBe('model.layers.2.mlp.down_proj.weight');
    expect(hfNameFromLlama2c('w3.2')).toBe('model.layers.2.mlp.up_proj.weight');
    expect(hfNameFromLlama2c('rms_ffn_weight.4')).toBe(
      'model.layers.4.post_attention_layernorm.weight',
    );
    expect(hfNameFromLlama2c('wcls')).toBe('lm_head.weight');
    expect(hfNameFromLlama2c('freq_cis_real')).toBeUndefined();
  });

  it('identifies the rotary projections', () => {
    expect(isRotaryProjection(hfLayerTensorName(1, 'q'))).toBe('q');
    expect(isRotaryProjection(hfLayerTensorName(1, 'k', 'bias'))).toBe('k');
    expect(isRotaryProjection(hfLayerTensorName(1, 'v'))).toBeUndefined();
  });
});
