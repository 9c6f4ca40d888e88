/**
 * 16-bit weights on the device: a BF16 checkpoint loaded with the default `auto` keeps its weight
 * matrices at 2 bytes per parameter (measured with the device's own memory accounting), norms stay
 * f32, and its logits match the same checkpoint loaded as f32 (the f32 path is the reference: the
 * kernels read exactly the same values, only the way they are stored differs).
 */
import { data, getDevice, type Tensor, tensor } from '@llm-streamline/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryModelDirectory } from '../src/io/model-directory.js';
import { type LoadedModel, loadHfModel } from '../src/load/load-model.js';
import type { WeightsDTypeChoice } from '../src/load/weights-dtype.js';
import { MemorySink } from '../src/save/output-sink.js';
import { checkpointPreset, type HfConfigJson } from '../src/synthetic/checkpoint-presets.js';
import { writeRandomCheckpoint } from '../src/synthetic/write-random-checkpoint.js';

// Llama 3.2's architecture (llama3 rope, GQA, tied) at sizes whose tensors fill their pool
// buckets exactly (powers of two), so device bytes measure storage rather than rounding.
const CONFIG: HfConfigJson = {
  ...checkpointPreset('llama-3.2-1b'),
  num_hidden_layers: 2,
  hidden_size: 128,
  intermediate_size: 256,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 32,
  vocab_size: 1024,
  bos_token_id: 1,
  eos_token_id: 2,
};

const untied: HfConfigJson = { ...CONFIG, tie_word_embeddings: false };

async function checkpointFiles(config: HfConfigJson): Promise<Record<string, Uint8Array>> {
  const sink = new MemorySink();
  await writeRandomCheckpoint(config, sink, { dtype: 'BF16', seed: 3, std: 0.05 });
  return Object.fromEntries(sink.files);
}

function load(files: Record<string, Uint8Array>, weightsDtype: WeightsDTypeChoice) {
  return loadHfModel(memoryModelDirectory(files, 'bf16-model'), { weightsDtype });
}

async function logitsOf({ model }: LoadedModel): Promise<Float32Array> {
  const ids = tensor(Int32Array.from([1, 17, 900, 5, 1023, 64, 2, 300]), [2, 4], 'i32');
  const { logits } = model.forward(ids);
  ids.dispose();
  const values = await data(logits as Tensor);
  logits?.dispose();
  return values as Float32Array;
}

describe.each([
  ['tied', CONFIG],
  ['untied', untied],
])('BF16 checkpoint (%s head)', (_, config) => {
  let files: Record<string, Uint8Array>;
  beforeAll(async () => {
    await getDevice();
    files = await checkpointFiles(config);
  });

  it('keeps weight matrices in bf16 (auto) and norms in f32', async () => {
    const loaded = await load(files, 'auto');
    try {
      for (const [name, t] of loaded.model.stateDict())
        expect(t.dtype, name).toBe(t.rank === 2 ? 'bf16' : 'f32');
    } finally {
      loaded.model.dispose();
    }
  });

  it('holds ≤ 2.05 bytes per parameter on the device', async () => {
    const device = await getDevice();
    await device.sync();
    const before = device.memoryStats().bytesLive;
    const loaded = await load(files, 'auto');
    try {
      await device.sync();
      const parameters = [...loaded.model.stateDict().values()].reduce((n, t) => n + t.size, 0);
      const bytes = device.memoryStats().bytesLive - before;
      expect(bytes / parameters).toBeLessThanOrEqual(2.05);
      expect(bytes / parameters).toBeGreaterThanOrEqual(2);
    } finally {
      loaded.model.dispose();
    }
  });

  it('gives the logits of the f32 path within 1e-3, as bf16 and as f16', async () => {
    const reference = await load(files, 'f32');
    const expected = await logitsOf(reference);
    reference.model.dispose();
    for (const dtype of ['auto', 'bf16', 'f16'] as const) {
      const loaded = await load(files, dtype);
      try {
        expect(await logitsOf(loaded), dtype).toBeAllclose(expected, { atol: 1e-3, rtol: 0 });
      } finally {
        loaded.model.dispose();
      }
    }
  });
});
