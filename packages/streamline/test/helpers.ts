/**
 * Shared by the streamline tests (Node and Chromium alike, so no `node:` imports here): the
 * stories260K model from the shared data folder, calibration text, and float64 reference maths.
 */
import {
  bytesByteSource,
  type LlamaForCausalLM,
  type LoadedModel,
  loadLlama2cModel,
  splitDocuments,
  type Tokenizer,
} from '@llm-streamline/llm';
import { data, getDevice, type Tensor, tensor } from '@llm-streamline/tensor';
import { readFixture, readFixtureText, rng } from '@llm-streamline/test-utils';

// Every package's tests measure distances with the same helper.
export { maxAbsDiff } from '@llm-streamline/test-utils';

let binBytes: Promise<[Uint8Array, Uint8Array]> | undefined;

/** A fresh copy of stories260K (5 layers, d 64) with its llama2.c tokenizer. */
export async function loadStories260K(): Promise<LoadedModel & { tokenizer: Tokenizer }> {
  await getDevice();
  binBytes ??= Promise.all([
    readFixture('stories260K/stories260K.bin'),
    readFixture('stories260K/tok512.bin'),
  ]);
  const [bin, tok] = await binBytes;
  const loaded = await loadLlama2cModel(
    bytesByteSource(bin, 'stories260K.bin'),
    bytesByteSource(tok, 'tok512.bin'),
  );
  if (!loaded.tokenizer) throw new Error('stories260K: no tokenizer');
  return loaded as LoadedModel & { tokenizer: Tokenizer };
}

let storiesText: Promise<string> | undefined;

/** The first `paragraphs` paragraphs of the TinyStories validation sample, blank-line separated. */
export async function storiesParagraphs(from: number, count: number): Promise<string> {
  storiesText ??= readFixtureText('text/tinystories-valid-sample.txt');
  return splitDocuments(await storiesText)
    .slice(from, from + count)
    .join('\n\n');
}

/** Token blocks [B][T] → an i32 tensor [B, T]. */
export function idsTensor(blocks: readonly number[][]): Tensor {
  return tensor(Int32Array.from(blocks.flat()), [blocks.length, (blocks[0] as number[]).length]);
}

/**
 * Mean over tokens of f(cos(a_t, b_t)) for two hidden states [tokens·D] (row-major), in float64:
 * the naive reference of the cosine-based metrics.
 */
export function naiveMeanCosine(
  a: Float32Array,
  b: Float32Array,
  D: number,
  f: (cos: number) => number = (c) => c,
): number {
  const tokens = a.length / D;
  let total = 0;
  for (let t = 0; t < tokens; t++) {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let k = 0; k < D; k++) {
      const x = a[t * D + k] as number;
      const y = b[t * D + k] as number;
      dot += x * y;
      na += x * x;
      nb += y * y;
    }
    total += f(dot / Math.max(Math.sqrt(na) * Math.sqrt(nb), 1e-12));
  }
  return total / tokens;
}

/** Hidden states at every boundary 0…L as Float32Arrays (each [B·T·D], row-major). */
export async function allHiddenStates(
  model: LlamaForCausalLM,
  blocks: readonly number[][],
): Promise<Float32Array[]> {
  const ids = idsTensor(blocks);
  const boundaries = Array.from({ length: model.layers.length + 1 }, (_, j) => j);
  const { hidden } = model.forward(ids, { hiddenStates: boundaries, logits: false });
  const out: Float32Array[] = [];
  for (const j of boundaries) {
    const h = hidden.get(j) as Tensor;
    out.push((await data(h)) as Float32Array);
    h.dispose();
  }
  ids.dispose();
  return out;
}

/** Logits [B·T·V] of the model on the blocks. */
export async function logitsOf(
  model: LlamaForCausalLM,
  blocks: readonly number[][],
): Promise<Float32Array> {
  const ids = idsTensor(blocks);
  const logits = model.forward(ids).logits as Tensor;
  const out = (await data(logits)) as Float32Array;
  logits.dispose();
  ids.dispose();
  return out;
}

/** Largest |a| (for relative tolerances). */
export function maxAbs(a: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] as number));
  return worst;
}

/** A seeded uniform generator in [lo, hi), for test data (test-utils' mulberry32). */
export function uniform(seed: number, lo = -1, hi = 1): () => number {
  const next = rng(seed);
  return () => lo + (hi - lo) * next();
}
