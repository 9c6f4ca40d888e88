/**
 * A streamed model reads its layers from the checkpoint for as long as it runs: a file truncated
 * or rewritten in the meantime must stop the run with an error naming the file and the tensor,
 * never feed it other bytes. (Node: the checkpoint is a file on disk; in a browser a File changed
 * after it was picked fails its read, see io/byte-source.ts.)
 */
import { getDevice } from '@llm-streamline/tensor';
import { testRuntime } from '@llm-streamline/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { perplexity } from '../src/eval/perplexity.js';
import type { LoadedModel } from '../src/load/load-model.js';
import { writeRandomCheckpoint } from '../src/synthetic/write-random-checkpoint.js';

/** Eight small layers; a budget of a quarter of the weights streams them. */
const CONFIG = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 64,
  intermediate_size: 256,
  num_hidden_layers: 8,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 300,
  max_position_embeddings: 128,
  rms_norm_eps: 1e-5,
  tie_word_embeddings: true,
  bos_token_id: 256,
  eos_token_id: 257,
  torch_dtype: 'float32',
};

const BLOCKS = [Array.from({ length: 16 }, (_, t) => (t * 7) % 256)];

describe.skipIf(testRuntime !== 'node')('Node: a checkpoint changed while it streams', () => {
  beforeAll(async () => {
    await getDevice();
  });

  async function withStreamedModel(
    run: (loaded: LoadedModel, file: string) => Promise<void>,
  ): Promise<void> {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { DirectorySink, loadModelFromPath } = await import('../src/node.js');
    const dir = await mkdtemp(join(tmpdir(), 'stream-changes-'));
    try {
      const out = join(dir, 'model');
      const sink = await DirectorySink.create(out);
      await writeRandomCheckpoint(CONFIG, sink, { dtype: 'F32' });
      await sink.commit();
      const loaded = await loadModelFromPath(out, {
        deviceMemory: { budgetBytes: 512 * 1024, batchSize: 1, blockLength: 16 },
      });
      try {
        expect(loaded.model.weightStream).toBeDefined();
        // Streaming works while the file is intact.
        expect((await perplexity(loaded.model, BLOCKS)).perplexity).toBeGreaterThan(1);
        await run(loaded, join(out, 'model.safetensors'));
      } finally {
        loaded.model.dispose();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('a truncated file: the error names the file and the tensor', async () => {
    await withStreamedModel(async ({ model }, file) => {
      const { truncate, stat } = await import('node:fs/promises');
      await truncate(file, Math.floor((await stat(file)).size / 2));
      await expect(perplexity(model, BLOCKS)).rejects.toThrow(
        /model\.safetensors: cannot load tensor (model\.layers\.\d+\.[a-z_.]+|model\.embed_tokens\.weight \(row \d+\)): .*(changed while it was being read|end of file)/,
      );
    });
  });

  it('a file rewritten in place (same size): refused, not read', async () => {
    await withStreamedModel(async ({ model }, file) => {
      const { open, utimes, stat } = await import('node:fs/promises');
      const handle = await open(file, 'r+');
      await handle.write(new Uint8Array(64).fill(0x7f), 0, 64, (await stat(file)).size - 64);
      await handle.close();
      // Same size; a later modification time (set explicitly: a fast rewrite may share the old one).
      const later = new Date(Date.now() + 5000);
      await utimes(file, later, later);
      await expect(perplexity(model, BLOCKS)).rejects.toThrow(
        /model\.safetensors: cannot load tensor (model\.layers\.\d+\.[a-z_.]+|model\.embed_tokens\.weight \(row \d+\)): the file changed while it was being read/,
      );
    });
  });
});
