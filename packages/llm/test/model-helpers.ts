/**
 * Shared helpers of the model tests (not a test file). Everything here runs in Node and in
 * Chromium: fixtures come through @llm-streamline/test-utils, files are in-memory ByteSources.
 */

import { data, scope, type Tensor, tensor } from '@llm-streamline/tensor';
import { readFixture, readFixtureText } from '@llm-streamline/test-utils';
import { bytesByteSource } from '../src/io/byte-source.js';
import { memoryModelDirectory } from '../src/io/model-directory.js';
import { type LoadedModel, loadHfModel, loadLlama2cModel } from '../src/load/load-model.js';
import type { ForwardOptions, LlamaForCausalLM } from '../src/model/llama-model.js';
import type { Tokenizer } from '../src/tokenizer/tokenizer.js';

export const STORIES = 'stories260K';
export const TINY = 'tinystories-12L';
export const TINY_FILES = [
  'config.json',
  'model.safetensors',
  'tokenizer.json',
  'tokenizer_config.json',
] as const;

/** stories260K from its llama2.c checkpoint and tok512.bin (what run.c reads). */
export async function loadStories260K(): Promise<LoadedModel> {
  const [bin, tok] = await Promise.all([
    readFixture(`${STORIES}/stories260K.bin`),
    readFixture(`${STORIES}/tok512.bin`),
  ]);
  return loadLlama2cModel(
    bytesByteSource(bin, 'stories260K.bin'),
    bytesByteSource(tok, 'tok512.bin'),
  );
}

/** The files of the tinystories-12L Hugging Face directory, keyed by name. */
export async function tinystoriesFiles(
  names: readonly string[] = TINY_FILES,
): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  for (const name of names) files[name] = await readFixture(`${TINY}/${name}`);
  return files;
}

export async function loadTinystories(): Promise<LoadedModel> {
  return loadHfModel(memoryModelDirectory(await tinystoriesFiles(), TINY));
}

export async function readJsonFixture<T>(relPath: string): Promise<T> {
  return JSON.parse(await readFixtureText(relPath)) as T;
}

/** Logits of one sequence as a flat [T × V] array (batch 1). */
export async function logitsOf(
  model: LlamaForCausalLM,
  ids: readonly number[],
  options: Omit<ForwardOptions, 'hiddenStates'> = {},
): Promise<Float32Array> {
  return scope(async () => {
    const input = tensor(Int32Array.from(ids), [1, ids.length]);
    const { logits } = model.forward(input, options);
    return (await data(logits as Tensor)) as Float32Array;
  });
}

/** Row `i` of a flat [rows × width] array. */
export function row(values: Float32Array, i: number, width: number): Float32Array {
  return values.subarray(i * width, (i + 1) * width);
}

/** Index of the largest value (first on ties). */
export function argmaxOf(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++)
    if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

/**
 * What run.c prints for a token sequence (BOS first): each piece decoded after its predecessor
 * (leading space dropped after BOS, `<0xXX>` as raw bytes), then the final newline.
 */
export function runcText(tokenizer: Tokenizer, ids: readonly number[]): string {
  let out = '';
  for (let i = 1; i < ids.length; i++)
    out += tokenizer.decodeToken(ids[i - 1] as number, ids[i] as number);
  return `${out}\n`;
}

/** Collects an async iterator. */
export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/**
 * Settles with `promise`, or rejects after `ms` so that a hang fails the test with a clear message
 * instead of the test timeout.
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
