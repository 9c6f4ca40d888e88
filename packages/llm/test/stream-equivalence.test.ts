/**
 * A streamed model computes what the resident one computes, for every way weights can be held:
 * a BF16 checkpoint kept in BF16, widened to f32, or rounded to f16 on the device. The layers are
 * fetched with the loader's own upload and the embedding rows are read on the host and rounded as
 * the table would be, so the perplexities agree bit for bit (one logit chunk per batch on both
 * sides). Runs in Node and in Chromium.
 */
import { getDevice } from '@llm-streamline/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { continuationLogLikelihoods } from '../src/eval/continuation-log-likelihood.js';
import { perplexity } from '../src/eval/perplexity.js';
import { memoryModelDirectory } from '../src/io/model-directory.js';
import { loadHfModel } from '../src/load/load-model.js';
import type { WeightsDTypeChoice } from '../src/load/weights-dtype.js';
import { MemorySink } from '../src/save/output-sink.js';
import { writeRandomCheckpoint } from '../src/synthetic/write-random-checkpoint.js';

/** Six layers, tied: the head is the embedding table, fetched as one unit. */
const CONFIG = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 64,
  intermediate_size: 192,
  num_hidden_layers: 6,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 300,
  max_position_embeddings: 128,
  rms_norm_eps: 1e-5,
  tie_word_embeddings: true,
  bos_token_id: 256,
  eos_token_id: 257,
  torch_dtype: 'bfloat16',
};

const BLOCKS = Array.from({ length: 6 }, (_, b) =>
  Array.from({ length: 24 }, (_, t) => (b * 31 + t * 13) % 300),
);

let files: Record<string, Uint8Array>;

beforeAll(async () => {
  await getDevice();
  const sink = new MemorySink();
  await writeRandomCheckpoint(CONFIG, sink, { dtype: 'BF16', seed: 5, std: 0.05 });
  files = Object.fromEntries(sink.files);
});

describe('a streamed model computes what the resident one does', () => {
  for (const weightsDtype of ['auto', 'f32', 'f16'] as WeightsDTypeChoice[]) {
    it(`BF16 checkpoint held as ${weightsDtype}: the same perplexity, bit for bit`, async () => {
      const dir = memoryModelDirectory(files, 'random-6L');
      const resident = await loadHfModel(dir, { weightsDtype });
      const expected = await perplexity(resident.model, BLOCKS, { batchSize: 2 });
      resident.model.dispose();
      const streamed = await loadHfModel(dir, {
        weightsDtype,
        deviceMemory: { budgetBytes: 600 * 1024, batchSize: 2, blockLength: 24 },
      });
      try {
        expect(streamed.model.memoryPlan?.mode).toBe('streamed');
        expect(streamed.model.weightsDtype).toBe(weightsDtype === 'auto' ? 'bf16' : weightsDtype);
        const got = await perplexity(streamed.model, BLOCKS, { batchSize: 2 });
        expect(got.perplexity).toBe(expected.perplexity);
        expect(got.meanNll).toBe(expected.meanNll);
        // Every layer and the head were fetched, once per group of batches.
        expect(streamed.model.weightStream?.stats.fetches).toBeGreaterThanOrEqual(7);
      } finally {
        streamed.model.dispose();
      }
    });
  }

  it('the same continuation log-likelihoods, with several batches per layer fetch', async () => {
    // Twelve requests of 10…21 tokens, the last 1…4 of them the continuation.
    const windows = Array.from({ length: 12 }, (_, i) => ({
      tokens: (BLOCKS[i % 6] as number[]).slice(0, 10 + i),
      continuationLength: 1 + (i % 4),
      truncated: false,
    }));
    const dir = memoryModelDirectory(files, 'random-6L');
    const resident = await loadHfModel(dir);
    const expected = await continuationLogLikelihoods(resident.model, windows, { batchTokens: 48 });
    resident.model.dispose();
    const streamed = await loadHfModel(dir, {
      deviceMemory: { budgetBytes: 600 * 1024, batchSize: 2, blockLength: 24 },
    });
    try {
      expect(streamed.model.memoryPlan?.mode).toBe('streamed');
      const got = await continuationLogLikelihoods(streamed.model, windows, { batchTokens: 48 });
      expect(got).toEqual(expected);
      // Six batches of two (48 positions ÷ 32 padded, or fewer): had each batch fetched the six
      // layers and the head, that would be 42 fetches; groups share them.
      const fetches = streamed.model.weightStream?.stats.fetches ?? 0;
      expect(fetches).toBeGreaterThanOrEqual(7);
      expect(fetches).toBeLessThan(42);
    } finally {
      streamed.model.dispose();
    }
  });
});
