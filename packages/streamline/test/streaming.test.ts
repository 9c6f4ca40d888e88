/**
 * Streaming gives the same result: a model whose weights are four times the device memory budget
 * is loaded streamed (layers and head read from the checkpoint one at a time) and pruned with
 * the same settings as the same checkpoint loaded whole. Window scores, training pairs, the
 * trained replacement and the perplexities must be bit-identical: per batch the kernels are the
 * same, and every sum over batches is taken in batch order. (Only the head's logit chunk size
 * may change the order of a reduction, and both runs here use one chunk per batch.) The device
 * never holds more than the budget. Runs in Node and in Chromium alike.
 */
import {
  type LlamaForCausalLM,
  type LoadedModel,
  loadHfModel,
  MemorySink,
  type ModelDirectory,
  memoryModelDirectory,
  writeRandomCheckpoint,
} from '@llm-streamline/llm';
import { data, getDevice, type Tensor, tensor } from '@llm-streamline/tensor';
import { testRuntime } from '@llm-streamline/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MemoryPairStorage,
  StoredPairs,
  type StreamlineOptions,
  type StreamlineReport,
  saveStreamlined,
  streamline,
} from '../src/index.js';
import { storiesParagraphs } from './helpers.js';

/**
 * 32 layers of 1 MiB (f32) and a small vocabulary: the layers are nearly all of the weights, and a
 * quarter of them leaves room to train a one-layer replacement (five copies of its weights).
 */
const CONFIG = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  hidden_size: 128,
  intermediate_size: 512,
  num_hidden_layers: 32,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  vocab_size: 300,
  max_position_embeddings: 256,
  rms_norm_eps: 1e-5,
  rope_theta: 10000,
  tie_word_embeddings: false,
  bos_token_id: 256,
  eos_token_id: 257,
  torch_dtype: 'float32',
};

const SETTINGS = {
  blockLength: 32,
  scoringBlocks: 8,
  trainingBlocks: 8,
  validationBlocks: 4,
  evaluationBlocks: 8,
  batchSize: 2,
  epochs: 2,
  lr: 1e-3,
  seed: 7,
  target: { layers: 3 },
  // These tests are about the replacement's own stages: keep it whatever the keep comparison says.
  keep: 'replaced',
} as const;

let dir: ModelDirectory;
let weightsBytes: number;
let text: string;

beforeAll(async () => {
  await getDevice();
  const sink = new MemorySink();
  await writeRandomCheckpoint(CONFIG, sink, { dtype: 'F32', seed: 3, std: 0.05 });
  dir = memoryModelDirectory(Object.fromEntries(sink.files), 'random-32L');
  weightsBytes = (sink.files.get('model.safetensors') as Uint8Array).byteLength;
  text = await storiesParagraphs(0, 80);
});

const budgetBytes = () => Math.floor(weightsBytes / 4);

function loadStreamed(): Promise<LoadedModel> {
  return loadHfModel(dir, {
    deviceMemory: {
      budgetBytes: budgetBytes(),
      batchSize: SETTINGS.batchSize,
      blockLength: SETTINGS.blockLength,
    },
  });
}

async function prune(
  loaded: LoadedModel,
  extra: Partial<StreamlineOptions> = {},
): Promise<{ report: StreamlineReport; replacement: Float32Array[]; checkpoint: Uint8Array }> {
  const result = await streamline({
    model: loaded.model,
    tokenizer: loaded.tokenizer as NonNullable<LoadedModel['tokenizer']>,
    calibrationText: text,
    evaluationText: text,
    replacement: 'layer',
    ...SETTINGS,
    ...extra,
  });
  const { report, model } = result;
  const replaced = model.layers.at(report.window.start);
  const replacement = await Promise.all(replaced.parameters().map((p) => data(p.value)));
  // Saved as an ordinary checkpoint: a streamed model fetches each layer again to write it.
  const sink = new MemorySink();
  await saveStreamlined(result, sink);
  const checkpoint = sink.files.get('model.safetensors') as Uint8Array;
  return { report, replacement: replacement as Float32Array[], checkpoint };
}

async function pairsOf(model: LlamaForCausalLM): Promise<Float32Array[]> {
  const blocks = Array.from({ length: 6 }, (_, b) =>
    Array.from({ length: 32 }, (_, t) => (b * 37 + t * 11) % 256),
  );
  const pairs = await StoredPairs.create(model, blocks, 2, 5, 4, new MemoryPairStorage());
  const out: Float32Array[] = [];
  for (let i = 0; i < pairs.batchCount; i++) {
    const { input, target } = await pairs.batch(i);
    out.push((await data(input)) as Float32Array, (await data(target)) as Float32Array);
    input.dispose();
    target.dispose();
  }
  await pairs.dispose();
  return out;
}

describe('layer streaming under a memory budget', () => {
  it('plans to stream a model four times its budget, and fails below the minimum naming it', async () => {
    const loaded = await loadStreamed();
    try {
      const plan = loaded.model.memoryPlan?.record();
      expect(plan?.mode).toBe('streamed');
      expect(plan?.weightsBytes).toBeGreaterThanOrEqual(weightsBytes * 0.99);
      expect(plan?.prefetch).toBe(true);
      expect(loaded.model.weightStream).toBeDefined();
      // A streamed model's layers cannot run outside the layer walk: placeholders are zeros.
      expect(() => loaded.model.forward(tensorIds())).toThrow(/streamed from the checkpoint/);
    } finally {
      loaded.model.dispose();
    }
    await expect(
      loadHfModel(dir, { deviceMemory: { budgetBytes: 2 ** 20, batchSize: 2, blockLength: 32 } }),
    ).rejects.toThrow(/1\.00 MiB is too small: .* needs at least \d/);
  });

  it('refuses, before any work, to fine-tune through streamed layers or train a replacement the budget cannot hold', async () => {
    const loaded = await loadStreamed();
    try {
      const stages: string[] = [];
      const run = (extra: Partial<StreamlineOptions>) =>
        streamline({
          model: loaded.model,
          tokenizer: loaded.tokenizer as NonNullable<LoadedModel['tokenizer']>,
          calibrationText: text,
          ...SETTINGS,
          onProgress: (e) => stages.push(e.stage),
          ...extra,
        });
      await expect(run({ finetuneEpochs: 1 })).rejects.toThrow(
        /finetuneEpochs: .* not available when the model streams its weights/,
      );
      // An FFN of hidden size 4096 trains ~6.3M parameters: five f32 copies are 126 MB.
      await expect(
        run({ replacement: 'ffn', replacementOptions: { hidden: 4096, init: 'random' } }),
      ).rejects.toThrow(/too small: training the replacement .* needs at least/);
      expect(stages).toEqual([]);
    } finally {
      loaded.model.dispose();
    }
  });

  it('gives the same training pairs as the resident model, bit for bit', async () => {
    const resident = await loadHfModel(dir);
    const expected = await pairsOf(resident.model);
    resident.model.dispose();
    const streamed = await loadStreamed();
    try {
      const got = await pairsOf(streamed.model);
      expect(got.length).toBe(expected.length);
      got.forEach((values, k) => {
        expect(values).toEqual(expected[k]);
      });
    } finally {
      streamed.model.dispose();
    }
  });

  it('prunes to the same scores, replacement, perplexities and checkpoint, within the budget', async () => {
    const device = await getDevice();
    const resident = await loadHfModel(dir);
    const whole = await prune(resident);
    resident.model.dispose();

    await device.sync();
    device.pool.trim();
    const baseline = device.memoryStats().bytesLive;
    device.pool.resetPeak();
    const streamed = await loadStreamed();
    try {
      const part = await prune(streamed);
      await device.sync();
      const peak = device.memoryStats().peakBytesHeld - baseline;
      expect(peak).toBeLessThanOrEqual(budgetBytes());

      // Every window size: the rings of all scoring batches fit the budget at once here.
      expect(Object.keys(part.report.scores)).toHaveLength(CONFIG.num_hidden_layers - 1);
      expect(part.report.scores).toEqual(whole.report.scores);
      expect(part.report.window).toEqual(whole.report.window);
      expect(part.report.training).toEqual(whole.report.training);
      expect(part.report.perplexity).toEqual(whole.report.perplexity);
      expect(part.replacement.length).toBe(whole.replacement.length);
      part.replacement.forEach((values, k) => {
        expect(values).toEqual(whole.replacement[k]);
      });
      expect(part.checkpoint.byteLength).toBe(whole.checkpoint.byteLength);
      expect(firstDifference(part.checkpoint, whole.checkpoint)).toBe(-1);
      const memory = part.report.memory;
      expect(memory?.mode).toBe('streamed');
      expect(memory?.budgetBytes).toBe(budgetBytes());
      expect(Object.keys(memory?.stages ?? {})).toEqual([
        'calibration',
        'scoring',
        'pairs',
        'training',
        'evaluation',
      ]);
      expect(memory?.stream?.bytesUploaded).toBeGreaterThan(weightsBytes);
    } finally {
      streamed.model.dispose();
    }
  }, 300_000); // two whole prunes of a 32-layer model: minutes on a busy CPU adapter
});

describe.skipIf(testRuntime !== 'node')(
  'Node: a checkpoint truncated while a prune streams it',
  () => {
    it('fails naming the file and the tensor, and leaves no output', async () => {
      const { runToDirectory } = await import('../src/node.js');
      const { DirectorySink, loadModelFromPath } = await import('@llm-streamline/llm/node');
      const { mkdtemp, readdir, rm, stat } = await import('node:fs/promises');
      const { truncateSync, statSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const { join } = await import('node:path');
      const root = await mkdtemp(join(tmpdir(), 'streamline-truncated-'));
      try {
        const modelDir = join(root, 'model');
        const sink = await DirectorySink.create(modelDir);
        await writeRandomCheckpoint(CONFIG, sink, { dtype: 'F32', seed: 3, std: 0.05 });
        await sink.commit();
        const loaded = await loadModelFromPath(modelDir, {
          deviceMemory: {
            budgetBytes: budgetBytes(),
            batchSize: SETTINGS.batchSize,
            blockLength: SETTINGS.blockLength,
          },
        });
        const file = join(modelDir, 'model.safetensors');
        const out = join(root, 'out');
        let truncated = false;
        try {
          const run = runToDirectory(
            {
              model: loaded.model,
              tokenizer: loaded.tokenizer as NonNullable<LoadedModel['tokenizer']>,
              calibrationText: text,
              evaluationText: text,
              ...SETTINGS,
              // Cut the file in half once scoring has read the layers: the next read must fail.
              onProgress: (e) => {
                if (e.stage !== 'scoring' || truncated) return;
                truncated = true;
                truncateSync(file, Math.floor(statSync(file).size / 2));
              },
            },
            out,
          );
          await expect(run).rejects.toThrow(
            /model\.safetensors: cannot load tensor model\.layers\.\d+\.[a-z_.]+: (the file changed while it was being read|unexpected end of file)/,
          );
          expect(await stat(out).catch(() => 'absent')).toBe('absent');
          expect(await readdir(root)).toEqual(['model']); // no staging folder left
        } finally {
          loaded.model.dispose();
        }
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    });
  },
);

/** One block of four token ids [1, 4]. */
function tensorIds(): Tensor {
  return tensor(Int32Array.from([256, 1, 2, 3]), [1, 4]);
}

/** The first index where two byte arrays differ, or −1 (no Buffer: this runs in browsers too). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
