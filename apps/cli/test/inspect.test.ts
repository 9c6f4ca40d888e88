/**
 * `inspect` end to end: its parameter counts against an independent count from each model's
 * configuration (the HF config.json, the llama2.c header read here byte by byte), and the same
 * model in two formats (.bin and .gguf) gives the same numbers.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fixturePath } from '@llm-streamline/test-utils/paths';
import { describe, expect, it } from 'vitest';
import type { Inspection } from '../src/inspect/inspection.js';
import { jsonResult, runCli, STORIES_BIN, TINY_12L } from './helpers.js';

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
    expect(r.dtypes).toEqual({ F32: 12 * 9 + 2 });
    const weights = r.files.find((f) => f.name === 'model.safetensors');
    expect(weights?.bytes).toBe((await stat(join(TINY_12L, 'model.safetensors'))).size);
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
});
