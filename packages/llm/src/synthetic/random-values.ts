/**
 * Seeded values of a random-weight checkpoint, produced a chunk at a time in the file's dtype, so
 * that a tensor of any size is written in constant memory. Each tensor has its own stream, seeded
 * from (seed, tensor name): the same tensor gets the same bytes whichever shard or chunk size it
 * is written with.
 */
import { f32ToBf16, f32ToF16 } from '@llm-streamline/tensor';
import type { TensorInit } from './checkpoint-layout.js';

/** The dtypes a random checkpoint is written in. */
export type RandomCheckpointDType = 'F32' | 'F16' | 'BF16';

/** Elements per chunk: 1 Mi (4 MiB of f32 scratch, 2 MiB of BF16 output). */
export const CHUNK_ELEMENTS = 1 << 20;

/** FNV-1a of a string, mixed with the seed: the stream of one tensor. */
export function tensorSeed(seed: number, name: string): number {
  let h = 0x811c9dc5 ^ Math.imul(seed >>> 0, 0x9e3779b1);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Normal numbers N(0, std²) from mulberry32 (the generator of tensor's `seededRandom`, inlined here
 * because a 7B checkpoint draws 7·10⁹ of them) through Box–Muller, both outputs used.
 */
export class NormalStream {
  private state: number;
  private spare: number | undefined;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  private uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Fills `out` with normal numbers of standard deviation `std`. */
  fill(out: Float32Array, std: number): void {
    let i = 0;
    if (this.spare !== undefined && out.length > 0) {
      out[i++] = this.spare * std;
      this.spare = undefined;
    }
    for (; i < out.length; i += 2) {
      const r = Math.sqrt(-2 * Math.log(1 - this.uniform())); // 1 − u ∈ (0, 1]
      const theta = 2 * Math.PI * this.uniform();
      out[i] = r * Math.cos(theta) * std;
      // The second normal of the pair: the next element, or kept for the next call.
      if (i + 1 < out.length) out[i + 1] = r * Math.sin(theta) * std;
      else this.spare = r * Math.sin(theta);
    }
  }
}

/**
 * The little-endian bytes of one tensor, in chunks of at most {@link CHUNK_ELEMENTS} elements: a
 * fresh array per chunk (a sink may keep them), one f32 scratch array reused.
 */
export function* randomTensorChunks(
  name: string,
  elements: number,
  init: TensorInit,
  dtype: RandomCheckpointDType,
  { seed, std }: { seed: number; std: number },
): Generator<Uint8Array> {
  const stream = new NormalStream(tensorSeed(seed, name));
  const scratch = new Float32Array(Math.min(elements, CHUNK_ELEMENTS));
  for (let begin = 0; begin < elements; begin += CHUNK_ELEMENTS) {
    const n = Math.min(CHUNK_ELEMENTS, elements - begin);
    const values = scratch.subarray(0, n);
    if (init === 'ones') values.fill(1);
    else stream.fill(values, std);
    const encoded =
      dtype === 'F32' ? values.slice() : dtype === 'F16' ? f32ToF16(values) : f32ToBf16(values);
    yield new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
  }
}
