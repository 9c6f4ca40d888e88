/**
 * `inspect` end to end: its parameter counts against an independent count from each model's
 * configuration (the HF config.json, the llama2.c header read here byte by byte), and the same
 * model in two formats (.bin and .gguf) gives the same numbers. The device memory a prune needs,
 * against numbers computed here from the config, and the fit check against made-up adapter limits
 * and the full-size random-checkpoint presets.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CHECKPOINT_PRESETS,
  checkpointDims,
  checkpointLayout,
  parseHfConfig,
} from '@llm-streamline/llm';
import { fixturePath } from '@llm-streamline/test-utils/paths';
import { describe, expect, it } from 'vitest';
import type { Inspection } from '../src/inspect/inspection.js';
import { deviceFit, deviceMemoryEstimate } from '../src/inspect/memory-estimate.js';
import { jsonResult, runCli, STORIES_BIN, smallQwen2Checkpoint, TINY_12L } from './helpers.js';

interface Dims {
  layers: number;
  hidden: number;
  intermediate: number;
  heads: number;
  kvHeads: number;
  vocab: number;
  tied: boolean;
}

/** A LLaMA's parameters by part, from its dimensions alone. */
function expectedCounts(d: Dims) {
  const headDim = d.hidden / d.heads;
  const attention = d.hidden * d.heads * headDim * 2 + 2 * d.hidden * d.kvHeads * headDim;
  const mlp = 3 * d.hidden * d.intermediate;
  const layerNorms = 2 * d.hidden;
  return {
    embedding: d.vocab * d.hidden,
    attention: d.layers * attention,
    mlp: d.layers * mlp,
    norms: d.layers * layerNorms + d.hidden,
    head: d.tied ? 0 : d.vocab * d.hidden,
    perLayer: attention + mlp + layerNorms,
  };
}

function check(r: Inspection, d: Dims) {
  const e = expectedCounts(d);
  expect(r.architecture).toMatchObject({
    layers: d.layers,
    hiddenSize: d.hidden,
    intermediateSize: d.intermediate,
    heads: d.heads,
    kvHeads: d.kvHeads,
    vocabSize: d.vocab,
    tiedEmbeddings: d.tied,
  });
  expect(r.parameters).toMatchObject({
    embedding: e.embedding,
    attention: e.attention,
    mlp: e.mlp,
    norms: e.norms,
    head: e.head,
    total: e.embedding + e.attention + e.mlp + e.norms + e.head,
  });
  expect(r.parameters.perLayer).toHaveLength(d.layers);
  for (const l of r.parameters.perLayer) expect(l.total).toBe(e.perLayer);
  expect(r.memory.weightsBytes).toBe(4 * r.parameters.total);
}

describe('inspect', () => {
  it('counts tinystories-12L (Hugging Face folder) as its config.json implies', async () => {
    const run = await runCli(['inspect', TINY_12L, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const r = jsonResult<Inspection>(run);
    const c = JSON.parse(await readFile(join(TINY_12L, 'config.json'), 'utf8'));
    check(r, {
      layers: c.num_hidden_layers,
      hidden: c.hidden_size,
      intermediate: c.intermediate_size,
      heads: c.num_attention_heads,
      kvHeads: c.num_key_value_heads,
      vocab: c.vocab_size,
      tied: c.tie_word_embeddings,
    });
    expect(r.format).toBe('huggingface');
    expect(r.architecture.type).toBe('llama');
    expect(r.dtypes).toEqual({ F32: 12 * 9 + 2 });
    const weights = r.files.find((f) => f.name === 'model.safetensors');
    expect(weights?.bytes).toBe((await stat(join(TINY_12L, 'model.safetensors'))).size);
  });

  it('names the architecture of a Qwen2 checkpoint and counts its q/k/v biases', async () => {
    const dir = await smallQwen2Checkpoint(2);
    const run = await runCli(['inspect', dir, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const r = jsonResult<Inspection>(run);
    expect(r.architecture).toMatchObject({ type: 'qwen2', layers: 2, headDim: 16 });
    const headDim = 64 / 4;
    const qkvBias = 4 * headDim + 2 * 2 * headDim;
    expect(r.parameters.total).toBe(
      300 * 64 + // tied embedding
        2 * (64 * 64 * 2 + 2 * 64 * 2 * headDim + qkvBias + 3 * 64 * 96 + 2 * 64) +
        64,
    );
    expect(r.dtypes).toEqual({ BF16: 2 * 12 + 2 });
  });

  it('counts stories260K (.bin and .gguf) as its llama2.c header implies', async () => {
    const bytes = await readFile(STORIES_BIN);
    const h = new Int32Array(bytes.buffer, bytes.byteOffset, 7);
    const dims: Dims = {
      hidden: h[0] as number,
      intermediate: h[1] as number,
      layers: h[2] as number,
      heads: h[3] as number,
      kvHeads: h[4] as number,
      vocab: Math.abs(h[5] as number),
      tied: (h[5] as number) > 0,
    };
    const bin = await runCli(['inspect', STORIES_BIN, '--json']);
    expect(bin.code).toBe(0);
    const fromBin = jsonResult<Inspection>(bin);
    check(fromBin, dims);
    expect(fromBin.format).toBe('llama2c');
    expect(fromBin.files[0]?.bytes).toBe(bytes.byteLength);

    const gguf = await runCli(['inspect', fixturePath('stories260K/stories260K.gguf'), '--json']);
    expect(gguf.code).toBe(0);
    const fromGguf = jsonResult<Inspection>(gguf);
    expect(fromGguf.format).toBe('gguf');
    // The GGUF export stores output.weight separately (untied); everything else is the same model.
    check(fromGguf, { ...dims, tied: fromGguf.architecture.tiedEmbeddings });
    expect(fromGguf.parameters.perLayer).toEqual(fromBin.parameters.perLayer);
  });

  it('prints a readable summary by default', async () => {
    const run = await runCli(['inspect', STORIES_BIN, '--per-layer']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/architecture\s+LLaMA, 5 layers, hidden 64, intermediate 172/);
    expect(run.stdout).toMatch(/layer\s+attention\s+MLP\s+norms\s+total/);
    expect(run.stdout).toMatch(/memory\s+~/);
  });

  it('reports the device memory a prune needs, from the config, at --batch and --block-length', async () => {
    const c = JSON.parse(await readFile(join(TINY_12L, 'config.json'), 'utf8'));
    const d: number = c.hidden_size;
    const f: number = c.intermediate_size;
    const v: number = c.vocab_size;
    const heads: number = c.num_attention_heads;
    for (const [b, t, args] of [
      [8, 256, []], // STREAMLINE_DEFAULTS
      [2, 64, ['--batch', '2', '--block-length', '64']],
    ] as const) {
      const run = await runCli(['inspect', TINY_12L, '--json', ...args]);
      expect(run.code).toBe(0);
      const r = jsonResult<Inspection>(run);
      const m = r.deviceMemory;
      const weights = 4 * r.parameters.total;
      // Logits come a chunk of positions at a time (≤ 64 MiB each; three live in the LM-loss
      // backward): with vocab 512 a chunk holds 32768 positions, more than a batch has.
      const logitRows = Math.min(b * t, Math.floor((64 * 2 ** 20) / (4 * v)));
      const activations = 4 * (3 * logitRows * v + b * t * (heads * t + 3 * f + 4 * d));
      const training = 4 * 4 * (3 * d * f + d); // params, grads, AdamW m and v; f32
      expect(m).toMatchObject({
        batchSize: b,
        blockLength: t,
        weightsDtype: 'f32',
        weightsBytes: weights,
        activationBytes: activations,
        replacement: { kind: 'ffn', parameters: 3 * d * f + d, trainingBytes: training },
        pruneBytes: weights + activations + training,
      });
      // tinystories-12L: d 128, f 384 (< vocab 512): the embedding is the largest weight.
      expect(m.largestWeight).toEqual({
        name: 'model.embed_tokens.weight',
        shape: [v, d],
        bytes: 4 * v * d,
      });
      const scores = 4 * b * heads * t * t;
      const logits = 4 * logitRows * v;
      expect(m.largestActivation.bytes).toBe(Math.max(scores, logits, 4 * b * t * f));
      expect(m.largestTensor.bytes).toBe(Math.max(4 * v * d, scores, logits));
      if ('unavailable' in m.fit) continue; // no adapter here: nothing to check against
      const limit = Math.min(
        m.fit.adapter.maxBufferSize,
        m.fit.adapter.maxStorageBufferBindingSize,
      );
      expect(m.fit.largestTensorFits).toBe(m.largestTensor.bytes <= limit);
      expect(m.fit.totalMemoryBytes).toBeNull();
    }
    const text = await runCli(['inspect', TINY_12L, '--batch', '2']);
    expect(text.stdout).toMatch(/memory\s+~/); // the old line stays
    expect(text.stdout).toMatch(
      /device memory ~[\d.]+ \w+ to prune with batches of 2 × 256 tokens/,
    );
    expect(text.stdout).toMatch(/largest weight\s+model\.embed_tokens\.weight \[512, 128\]/);
    expect(text.stdout).toMatch(/total memory\s+unknown/);
    const bad = await runCli(['inspect', TINY_12L, '--batch', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--batch must be a whole number ≥ 1/);
  });

  it("counts the weights at --weights-dtype (auto: the checkpoint's own, f32 for tinystories-12L)", async () => {
    const runs = await Promise.all(
      ['auto', 'bf16'].map((d) => runCli(['inspect', TINY_12L, '--json', '--weights-dtype', d])),
    );
    const [auto, bf16] = runs.map((r) => jsonResult<Inspection>(r));
    const p = auto?.parameters.total as number;
    expect(auto?.deviceMemory).toMatchObject({ weightsDtype: 'f32', weightsBytes: 4 * p });
    expect(bf16?.deviceMemory).toMatchObject({ weightsDtype: 'bf16', weightsBytes: 2 * p });
    expect(bf16?.memory.weightsBytes).toBe(2 * p);
    const bad = await runCli(['inspect', TINY_12L, '--weights-dtype', 'f8']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--weights-dtype must be one of auto, f32, f16, bf16, got 'f8'/);
  });

  it('checks real-size models against an adapter: the largest tensor against one binding', () => {
    const limits = (binding: number) => ({
      description: 'test adapter',
      isCpu: false,
      maxBufferSize: 2 ** 32,
      maxStorageBufferBindingSize: binding,
    });
    const estimate = (preset: 'llama-2-7b' | 'llama-3.2-1b', batchSize = 8) => {
      const json = CHECKPOINT_PRESETS[preset];
      const params = checkpointLayout(checkpointDims(json)).reduce(
        (n, t) => n + t.shape.reduce((a, b) => a * b, 1),
        0,
      );
      return deviceMemoryEstimate(parseHfConfig(json, preset), params, { batchSize });
    };
    // Llama-2-7B: 6738415616 parameters × 4 bytes; the embedding 32000 × 4096 × 4 = 500 MiB.
    const llama2 = estimate('llama-2-7b');
    expect(llama2.weightsBytes).toBe(6_738_415_616 * 4);
    expect(llama2.largestWeight).toMatchObject({
      name: 'model.embed_tokens.weight',
      bytes: 524_288_000,
    });
    expect(deviceFit(llama2, limits(2 ** 30)).largestTensorFits).toBe(true);
    const small = deviceFit(llama2, limits(128 * 2 ** 20)); // WebGPU's default binding limit
    expect(small.largestTensorFits).toBe(false);
    expect(small.tooLarge.map((t) => t.name)).toEqual(['model.embed_tokens.weight']);
    // Llama-3.2-1B at batch 16: whole logits would be 16 × 256 × 128256 × 4 bytes = 1.96 GiB, but
    // they come 130 positions at a time (⌊64 MiB / (128256 × 4)⌋, 64 MiB): the attention scores
    // (16 × 32 × 256 × 256 × 4 = 128 MiB) are the largest activation, the tied embedding
    // (128256 × 2048 × 4 = 0.98 GiB) the largest tensor, and it fits 1 GiB.
    const llama32 = estimate('llama-3.2-1b', 16);
    expect(llama32.largestActivation).toEqual({
      name: 'attention scores',
      shape: [16, 32, 256, 256],
      bytes: 16 * 32 * 256 * 256 * 4,
    });
    expect(llama32.largestTensor.name).toBe('model.embed_tokens.weight');
    expect(deviceFit(llama32, limits(2 ** 30)).tooLarge).toEqual([]);
    expect(deviceFit(llama32, { ...limits(2 ** 30), isCpu: true }).totalMemory).toMatch(
      /unknown: a CPU adapter uses system memory/,
    );
    // Half-precision weights halve the weights and the largest weight, not the activations.
    const half = deviceMemoryEstimate(parseHfConfig(CHECKPOINT_PRESETS['llama-2-7b'], 'l2'), 1000, {
      weightsDtype: 'bf16',
    });
    expect(half.weightsBytes).toBe(2000);
    expect(half.largestWeight.bytes).toBe(32000 * 4096 * 2);
    expect(half.activationBytes).toBe(llama2.activationBytes);
  });
});
