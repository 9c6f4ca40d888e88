/**
 * How a kernel reads elements of a storage dtype as f32: the one place that knows the 16-bit
 * layouts. Every kernel that reads an operand which may be f16 or bf16 (matmul, embedding, cast)
 * declares its binding and writes its reads through {@link elementRead}.
 *
 * 16-bit tensors are packed two per 32-bit word, element i in the low half when i is even.
 * - f16 on a device with `shader-f16` (`nativeF16`): the binding is `array<f16>` or
 *   `array<vec4<f16>>` and reads widen with `f32(…)` / `vec4<f32>(…)`.
 * - f16 without it, and bf16 always (WGSL has no bf16 type): the binding is `array<u32>` (one word
 *   per two elements) or `array<vec2<u32>>` (one vec2 per four), widened in the kernel: f16 with
 *   `unpack2x16float`, bf16 by moving its 16 bits to the top of an f32 (bf16 is truncated f32).
 * - f32 (and the integer dtypes, converted with `f32(…)`): `array<T>` or `array<vec4<T>>`.
 */
import type { DType } from '../tensor/dtype.js';

/** One operand's reads, for a binding declared as {@link ElementRead.declaration}. */
export interface ElementRead {
  /** The `var<storage, read>` declaration of the binding. */
  declaration: string;
  /** WGSL functions the reads call ('' when none): emit once per kernel with {@link readPrelude}. */
  helpers: string;
  /** Whether the binding needs `enable f16;`. */
  needsF16: boolean;
  /** WGSL f32 expression of element `index` (an element index, whatever the binding's shape). */
  scalar(index: string): string;
  /** WGSL vec4<f32> expression of elements 4q…4q+3 for `quad` = q; only when read as vec4. */
  vec4(quad: string): string;
}

export interface ElementReadOptions {
  /** Declare the binding with four elements per entry, for {@link ElementRead.vec4} reads. */
  vec4: boolean;
  /** Read f16 as WGSL's f16 type (the device has `shader-f16`; see `Device.nativeF16`). */
  nativeF16: boolean;
}

// Element `odd` (0 or 1) of a word of two bf16s, as f32: shifted to the word's top half.
const BF16_HALF = `fn bf16_half(w: u32, odd: u32) -> f32 {
  return bitcast<f32>((w >> (odd << 4u)) << 16u);
}`;
const BF16_QUAD = `fn bf16_quad(w: vec2<u32>) -> vec4<f32> {
  return bitcast<vec4<f32>>(vec4<u32>(w.x << 16u, w.x & 0xffff0000u, w.y << 16u, w.y & 0xffff0000u));
}`;
const F16_QUAD = `fn f16_quad(w: vec2<u32>) -> vec4<f32> {
  return vec4<f32>(unpack2x16float(w.x), unpack2x16float(w.y));
}`;

/** Reads of binding `name` at `binding` holding elements of `dtype`. */
export function elementRead(
  name: string,
  binding: number,
  dtype: DType,
  { vec4, nativeF16 }: ElementReadOptions,
): ElementRead {
  const declare = (type: string) =>
    `@group(0) @binding(${binding}) var<storage, read> ${name}: array<${type}>;`;
  if (dtype === 'bf16' || (dtype === 'f16' && !nativeF16)) {
    // The word holding element i: entry i/2 of array<u32>, or half (i/2)%2 of entry i/4 of
    // array<vec2<u32>>.
    const word = (i: string) =>
      vec4 ? `${name}[(${i}) >> 2u][((${i}) >> 1u) & 1u]` : `${name}[(${i}) >> 1u]`;
    const bf16 = dtype === 'bf16';
    return {
      declaration: declare(vec4 ? 'vec2<u32>' : 'u32'),
      helpers: bf16 ? (vec4 ? `${BF16_HALF}\n${BF16_QUAD}` : BF16_HALF) : vec4 ? F16_QUAD : '',
      needsF16: false,
      scalar: (i) =>
        bf16 ? `bf16_half(${word(i)}, (${i}) & 1u)` : `unpack2x16float(${word(i)})[(${i}) & 1u]`,
      vec4: (q) => `${bf16 ? 'bf16_quad' : 'f16_quad'}(${name}[${q}])`,
    };
  }
  const widen = dtype !== 'f32';
  return {
    declaration: declare(vec4 ? `vec4<${dtype}>` : dtype),
    helpers: '',
    needsF16: dtype === 'f16',
    scalar: (i) => {
      const at = vec4 ? `${name}[(${i}) >> 2u][(${i}) & 3u]` : `${name}[${i}]`;
      return widen ? `f32(${at})` : at;
    },
    vec4: (q) => (widen ? `vec4<f32>(${name}[${q}])` : `${name}[${q}]`),
  };
}

/** What must precede a kernel's declarations for these reads: `enable f16;` and the helpers, once each. */
export function readPrelude(reads: readonly ElementRead[]): string {
  const enable = reads.some((r) => r.needsF16) ? ['enable f16;'] : [];
  const helpers = new Set(reads.flatMap((r) => (r.helpers ? r.helpers.split(/\n(?=fn )/) : [])));
  return [...enable, ...helpers].join('\n');
}
