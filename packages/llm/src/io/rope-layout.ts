/**
 * RoPE layouts and the row permutation between them.
 *
 * Rotary embeddings rotate pairs of dimensions of each head's q/k vector by
 * position-dependent angles θ_i = pos · base^(-2i/d), i = 0 .. d/2-1, d = headDim.
 * Two conventions pick the pairs differently:
 *
 *   interleaved (Meta's original LLaMA, llama2.c, GGUF "normal" rope):
 *     pair i = (x[2i], x[2i+1])
 *   rotate-half (Hugging Face `rotate_half`):
 *     pair i = (x[i], x[i + d/2])
 *
 * Because q = W·x, we can switch conventions by reordering W's output rows
 * instead of changing the attention code. Within each head, interleaved row
 * 2i must become rotate-half row i and row 2i+1 must become row i + d/2:
 *
 *     half[h·d + i]       = inter[h·d + 2i]
 *     half[h·d + i + d/2] = inter[h·d + 2i + 1]
 *
 * Then (W_half·x) holds exactly the same numbers as (W_inter·x), only with
 * each rotated pair moved to the positions rotate-half expects, so
 * rotate-half RoPE on the permuted weights gives the interleaved result under
 * the same permutation. Attention scores are q·k dot products, and a
 * permutation applied to both q and k leaves them unchanged, so the model
 * output is identical. This is the inverse of the `permute` in HF's
 * convert_llama_weights_to_hf.py, and what llama.cpp's HF→GGUF converter undoes.
 * Apply it to q_proj with nHeads = num_attention_heads and to k_proj with
 * nHeads = num_key_value_heads (and to q/k biases with inFeatures = 1).
 */

function permuteRows(
  weight: Float32Array,
  nHeads: number,
  headDim: number,
  inFeatures: number,
  toHalf: boolean,
): Float32Array {
  if (headDim % 2 !== 0) throw new Error(`RoPE permutation: headDim ${headDim} must be even`);
  if (weight.length !== nHeads * headDim * inFeatures) {
    throw new Error(
      `RoPE permutation: weight has ${weight.length} elements, expected nHeads ${nHeads} × headDim ${headDim} × inFeatures ${inFeatures}`,
    );
  }
  const out = new Float32Array(weight.length);
  const half = headDim / 2;
  for (let h = 0; h < nHeads; h++) {
    for (let i = 0; i < half; i++) {
      for (const parity of [0, 1]) {
        const interleavedRow = h * headDim + 2 * i + parity;
        const halfRow = h * headDim + i + parity * half;
        const [from, to] = toHalf ? [interleavedRow, halfRow] : [halfRow, interleavedRow];
        out.set(weight.subarray(from * inFeatures, (from + 1) * inFeatures), to * inFeatures);
      }
    }
  }
  return out;
}

/**
 * Reorders the output rows of a q_proj/k_proj weight ([nHeads·headDim, inFeatures],
 * row-major) from the interleaved RoPE layout to HF's rotate-half layout.
 * Returns a new array.
 */
export function interleavedToHalfRotary(
  weight: Float32Array,
  nHeads: number,
  headDim: number,
  inFeatures: number,
): Float32Array {
  return permuteRows(weight, nHeads, headDim, inFeatures, true);
}

/** Inverse of `interleavedToHalfRotary` (HF layout → GGUF/llama2.c layout). */
export function halfToInterleavedRotary(
  weight: Float32Array,
  nHeads: number,
  headDim: number,
  inFeatures: number,
): Float32Array {
  return permuteRows(weight, nHeads, headDim, inFeatures, false);
}
