/**
 * Incremental decoding with the KV cache gives the logits of a full forward pass (1e-4), token by
 * token and in chunks, for stories260K (llama2.c, 5 layers) and tinystories-12L (HF, 12 layers).
 */
import { data, getDevice, scope, type Tensor, tensor } from '@llm-streamline/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../src/load/load-model.js';
import type { KvCache } from '../src/model/kv-cache.js';
import type { LlamaForCausalLM } from '../src/model/llama-model.js';
import { loadStories260K, loadTinystories, logitsOf, row } from './model-helpers.js';

const TEXT = 'Once upon a time, there was a little dog named Max. He liked to run.';
const VOCAB = 512;

/** Logits [T × V] of `ids` fed through the cache in chunks of the given sizes. */
async function decodeInChunks(
  model: LlamaForCausalLM,
  cache: KvCache,
  ids: readonly number[],
  chunks: readonly number[],
): Promise<Float32Array> {
  const out = new Float32Array(ids.length * VOCAB);
  let at = 0;
  for (const size of chunks) {
    const start = at;
    const logits = await scope(async () => {
      const input = tensor(Int32Array.from(ids.slice(start, start + size)), [1, size]);
      return (await data(model.forward(input, { cache }).logits as Tensor)) as Float32Array;
    });
    out.set(logits, start * VOCAB);
    at += size;
    expect(cache.length).toBe(at);
  }
  return out;
}

describe.each([
  ['stories260K', loadStories260K],
  ['tinystories-12L', loadTinystories],
] as const)('KV cache of %s', (_name, load) => {
  let loaded: LoadedModel;
  let ids: number[];
  let full: Float32Array;

  beforeAll(async () => {
    await getDevice();
    loaded = await load();
    ids = loaded.tokenizer?.encode(TEXT, { bos: true }) as number[];
    full = await logitsOf(loaded.model, ids);
  });

  afterAll(() => loaded?.model.dispose());

  it('token by token matches the full forward (1e-4)', async () => {
    expect(ids.length).toBeGreaterThan(15);
    const cache = loaded.model.createKvCache(1, ids.length);
    try {
      const stepwise = await decodeInChunks(
        loaded.model,
        cache,
        ids,
        ids.map(() => 1),
      );
      for (let p = 0; p < ids.length; p++) {
        expect(row(stepwise, p, VOCAB), `position ${p}`).toBeAllclose(row(full, p, VOCAB), {
          atol: 1e-4,
          rtol: 0,
        });
      }
    } finally {
      cache.dispose();
    }
  });

  it('a prefilled prompt then chunks of 3 and single tokens match too', async () => {
    const cache = loaded.model.createKvCache(1, ids.length + 4);
    try {
      const rest = ids.length - 7 - 3 - 3;
      const chunked = await decodeInChunks(loaded.model, cache, ids, [
        7,
        3,
        3,
        ...Array(rest).fill(1),
      ]);
      expect(chunked, 'chunked').toBeAllclose(full, { atol: 1e-4, rtol: 0 });
      // The last-position shortcut agrees with the full pass as well.
      const last = await logitsOf(loaded.model, ids, { lastPositionOnly: true });
      expect(last, 'lastPositionOnly').toBeAllclose(row(full, ids.length - 1, VOCAB), {
        atol: 1e-4,
        rtol: 0,
      });
    } finally {
      cache.dispose();
    }
  });

  it('refuses to write past its capacity and a cache made for another layer count', async () => {
    const small = loaded.model.createKvCache(1, 4);
    try {
      await expect(logitsOf(loaded.model, ids.slice(0, 5), { cache: small })).rejects.toThrow(
        /KV cache: 5 positions exceed its capacity of 4/,
      );
    } finally {
      small.dispose();
    }
    const removed = loaded.model.layers.splice(0, 1);
    try {
      const oneToken = () =>
        scope(() => loaded.model.forward(tensor(Int32Array.of(1), [1, 1]), { cache: small }));
      expect(oneToken).toThrow(/create a new cache after editing layers/);
    } finally {
      loaded.model.layers.splice(0, 0, ...removed);
    }
  });
});
