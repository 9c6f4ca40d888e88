import { type RopeLayout, runRope } from '../kernels/rope-kernel.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { contiguous } from './copy.js';
import { requireDType } from './dtype-check.js';

export type { RopeLayout };

export interface RopeOptions {
  /**
   * Which elements form a rotated pair: `'half'` pairs `(i, i + Dh/2)` (Hugging Face's
   * `rotate_half`), `'interleaved'` pairs `(2i, 2i + 1)` (GPT-J, llama2.c, GGUF). Required, because
   * the wrong one silently gives wrong results: HF checkpoints use `'half'`.
   */
  layout: RopeLayout;
  /** Position of the first row (axis −2), e.g. the number of tokens already in the KV cache. Default 0. */
  offset?: number;
  /** Rotate by −angle: the inverse of RoPE, which is also its gradient. Default false. */
  inverse?: boolean;
}

/**
 * Rotary position embedding of `x` ([…, T, Dh], any layout): row `t` of axis −2 sits at position
 * `offset + t`, and each pair `k` of its last axis is rotated by `angle = position · invFreq[k]`
 * (computed in f32 in that order, as Hugging Face does), with `invFreq` a [Dh/2] f32 tensor
 * (see {@link ropeInvFreq}). Returns a new dense tensor in `x`'s memory order (a permuted view in
 * gives a permuted view out).
 */
export function rope(x: Tensor, invFreq: Tensor, options: RopeOptions): Tensor {
  requireDType(x, ['f32'], 'rope', 'x');
  requireDType(invFreq, ['f32'], 'rope', 'invFreq');
  const { layout, offset = 0, inverse = false } = options;
  if (layout !== 'half' && layout !== 'interleaved')
    throw new RangeError(`rope: layout must be 'half' or 'interleaved', got '${layout}'`);
  const dh = x.shape[x.rank - 1] as number;
  if (x.rank < 2 || dh % 2 !== 0)
    throw new RangeError(`rope: x ${formatShape(x.shape)} must be [..., T, Dh] with Dh even`);
  if (invFreq.rank !== 1 || invFreq.shape[0] !== dh / 2) {
    throw new RangeError(
      `rope: invFreq ${formatShape(invFreq.shape)} must be [Dh/2] = [${dh / 2}] for x ${formatShape(x.shape)}`,
    );
  }
  if (!Number.isInteger(offset) || offset < 0)
    throw new RangeError(`rope: offset must be a non-negative integer, got ${offset}`);
  const freq = contiguous(invFreq);
  try {
    return runRope(x.device, x, freq, layout, offset, inverse);
  } finally {
    freq.dispose();
  }
}

/** Llama 3's `rope_scaling` (config `rope_type: "llama3"`), in camelCase. */
export interface Llama3RopeScaling {
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositionEmbeddings: number;
}

/**
 * RoPE's inverse frequencies `θ^(−2i/Dh)` for `i < Dh/2`, rounded to f32 at each step as Hugging
 * Face's `_compute_default_rope_parameters` computes them in float32 (so positions match it to
 * the last bit in almost every case; a pow result may differ by one f32 ulp).
 *
 * With `scaling`, applies Llama 3's frequency-dependent interpolation exactly as HF's
 * `_compute_llama3_parameters`: wavelengths longer than `original / lowFreqFactor` are divided by
 * `factor`, shorter than `original / highFreqFactor` kept, and those between blended smoothly.
 */
export function ropeInvFreq(
  headDim: number,
  theta: number,
  scaling?: Llama3RopeScaling,
): Float32Array {
  if (!Number.isInteger(headDim) || headDim <= 0 || headDim % 2 !== 0)
    throw new RangeError(`ropeInvFreq: headDim must be a positive even integer, got ${headDim}`);
  const f = Math.fround;
  const inv = new Float32Array(headDim / 2);
  // HF: 1.0 / (base ** (arange(0, dim, 2).float() / dim)), every step in float32.
  for (let i = 0; i < inv.length; i++) inv[i] = f(1 / f(f(theta) ** f((2 * i) / headDim)));
  if (!scaling) return inv;

  const {
    factor,
    lowFreqFactor,
    highFreqFactor,
    originalMaxPositionEmbeddings: oldContext,
  } = scaling;
  const lowFreqWavelen = f(oldContext / lowFreqFactor);
  const highFreqWavelen = f(oldContext / highFreqFactor);
  const out = new Float32Array(inv.length);
  for (let i = 0; i < inv.length; i++) {
    const freq = inv[i] as number;
    // PyTorch evaluates `scalar / tensor` as `tensor.reciprocal() * scalar`, so do we.
    const wavelen = f(f(1 / freq) * f(2 * Math.PI));
    const llama = wavelen > lowFreqWavelen ? f(freq / factor) : freq;
    const smooth = f(
      f(f(f(1 / wavelen) * oldContext) - lowFreqFactor) / f(highFreqFactor - lowFreqFactor),
    );
    const smoothed = f(f(f(f(1 - smooth) * llama) / factor) + f(smooth * llama));
    const isMedium = !(wavelen < highFreqWavelen) && !(wavelen > lowFreqWavelen);
    out[i] = isMedium ? smoothed : llama;
  }
  return out;
}
