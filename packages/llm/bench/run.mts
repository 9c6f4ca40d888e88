/**
 * Inference benchmark of @llm-streamline/llm on stories260K (llama2.c .bin, 5 layers, d 64) and
 * tinystories-12L (Hugging Face safetensors, 12 layers, d 128):
 *   load      wall time of loadModelFromPath (read, parse, upload every tensor; synced)
 *   prefill   tokens/s of one forward pass over 256 tokens at batch 1, filling a KV cache
 *   decode    greedy tokens/s after a 64-token prompt, with the KV cache (one position per step)
 *             and without (each step recomputes the whole prefix), and their ratio; both paths
 *             should produce the same tokens (reported)
 *   ppl       scored tokens/s of perplexity() over 256-token blocks of tinystories-12L/heldout.txt
 *             (both models share the tok512 vocabulary), with the perplexity itself
 * Load and prefill: median of REPEATS runs after a warm-up (pipeline compilation excluded);
 * decode: one run of many steps after a short warm-up; perplexity: one run after a 1-block warm-up.
 *
 * Prints a table and writes bench-results/llm.json at the repository root.
 * Usage: npm run bench -w @llm-streamline/llm   (SHARED_DATA=<dir> if the data is not at ../shared/data)
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as T from '@llm-streamline/tensor';
import { getDevice, scope, type Tensor, tensor } from '@llm-streamline/tensor';
import { writeBenchResults } from '@llm-streamline/test-utils/bench-results';
import {
  argmax,
  type LlamaForCausalLM,
  type LoadedModel,
  packBlocks,
  perplexity,
} from '../src/index.js';
import { loadModelFromPath } from '../src/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
const data = resolve(process.env.SHARED_DATA ?? resolve(repoRoot, '../shared/data'));

const PREFILL_TOKENS = 256;
const PROMPT_TOKENS = 64;
const REPEATS = 3;

interface Target {
  name: string;
  path: string;
  decodeTokens: number;
  pplBlocks: number;
}

const TARGETS: Target[] = [
  {
    name: 'stories260K',
    path: join(data, 'stories260K/stories260K.bin'),
    decodeTokens: 64,
    pplBlocks: 8,
  },
  { name: 'tinystories-12L', path: join(data, 'tinystories-12L'), decodeTokens: 24, pplBlocks: 4 },
];

const device = await getDevice();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

/** Runs `fn` once to warm up, then REPEATS times; returns the median wall time in ms. */
async function timed(fn: () => Promise<unknown>): Promise<{ ms: number; runsMs: number[] }> {
  await fn();
  const runsMs: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    await fn();
    runsMs.push(performance.now() - t0);
  }
  return { ms: median(runsMs), runsMs };
}

/** Last-position logits of `ids` (batch 1), read back to the CPU (which syncs the GPU). */
async function lastLogits(
  model: LlamaForCausalLM,
  ids: readonly number[],
  cache?: ReturnType<LlamaForCausalLM['createKvCache']>,
): Promise<Float32Array> {
  return scope(async () => {
    const input = tensor(Int32Array.from(ids), [1, ids.length]);
    const { logits } = model.forward(input, { cache, lastPositionOnly: true });
    return (await T.data(logits as Tensor)) as Float32Array;
  });
}

/**
 * Greedy decoding of `n` tokens after `prompt`, with or without the KV cache. The first token
 * comes from a pass over the whole prompt either way; `msAfterFirst` times the n − 1 decoding
 * steps after it (single positions with the cache; the whole growing prefix without).
 */
async function decode(
  model: LlamaForCausalLM,
  prompt: readonly number[],
  n: number,
  useCache: boolean,
): Promise<{ tokens: number[]; msAfterFirst: number }> {
  const cache = useCache ? model.createKvCache(1, prompt.length + n) : undefined;
  try {
    const ids = [...prompt];
    const tokens = [argmax(await lastLogits(model, ids, cache))];
    const t0 = performance.now();
    while (tokens.length < n) {
      ids.push(tokens[tokens.length - 1] as number);
      const next = cache
        ? argmax(await lastLogits(model, ids.slice(-1), cache))
        : argmax(await lastLogits(model, ids));
      tokens.push(next);
    }
    return { tokens, msAfterFirst: performance.now() - t0 };
  } finally {
    cache?.dispose();
  }
}

async function benchmark(target: Target) {
  let loaded: LoadedModel | undefined;
  const load = await timed(async () => {
    loaded?.model.dispose();
    loaded = await loadModelFromPath(target.path);
    await device.sync();
  });
  const { model, tokenizer } = loaded as LoadedModel;
  if (!tokenizer) throw new Error(`${target.path}: no tokenizer found`);
  const blocks = packBlocks(
    readFileSync(join(data, 'tinystories-12L/heldout.txt'), 'utf8'),
    tokenizer,
    PREFILL_TOKENS,
  );
  const block = blocks[0] as number[];

  const prefill = await timed(async () => {
    const cache = model.createKvCache(1, PREFILL_TOKENS);
    try {
      await lastLogits(model, block, cache);
    } finally {
      cache.dispose();
    }
  });

  // Decoding averages over many steps already: one warm-up of 2 tokens, then one measured run.
  const prompt = block.slice(0, PROMPT_TOKENS);
  await decode(model, prompt, 2, true);
  await decode(model, prompt, 2, false);
  const cached = await decode(model, prompt, target.decodeTokens, true);
  const uncached = await decode(model, prompt, target.decodeTokens, false);
  const steps = target.decodeTokens - 1;

  const slice = blocks.slice(0, target.pplBlocks);
  await perplexity(model, slice.slice(0, 1), { batchSize: 4 }); // warm-up
  const ppl = await perplexity(model, slice, { batchSize: 4 });

  const row = {
    model: target.name,
    layers: model.config.numLayers,
    hiddenSize: model.config.hiddenSize,
    parameters: model.parameterCount(),
    loadMs: load.ms,
    prefillTokensPerSecond: (PREFILL_TOKENS / prefill.ms) * 1000,
    decodeTokens: target.decodeTokens,
    decodeCachedTokensPerSecond: (steps / cached.msAfterFirst) * 1000,
    decodeUncachedTokensPerSecond: (steps / uncached.msAfterFirst) * 1000,
    cacheSpeedup: uncached.msAfterFirst / cached.msAfterFirst,
    sameTokensWithAndWithoutCache: cached.tokens.join() === uncached.tokens.join(),
    perplexityTokensPerSecond: ppl.tokensPerSecond,
    perplexityBlocks: ppl.blocks,
    perplexity: ppl.perplexity,
    runsMs: { load: load.runsMs, prefill: prefill.runsMs },
  };
  model.dispose();
  return row;
}

const rows = [];
for (const target of TARGETS) {
  const t0 = performance.now();
  rows.push(await benchmark(target));
  console.error(`${target.name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

const f = (x: number, digits = 1) => x.toFixed(digits);
console.log(
  `\n@llm-streamline/llm inference — ${device.adapter.description} (${device.kernelVariant} kernels), median of ${REPEATS} runs\n`,
);
const header = [
  'model',
  'load ms',
  'prefill tok/s',
  'decode tok/s (cache)',
  'decode tok/s (no cache)',
  'cache speedup',
  'ppl tok/s',
  'ppl',
];
const table = rows.map((r) => [
  r.model,
  f(r.loadMs, 0),
  f(r.prefillTokensPerSecond),
  f(r.decodeCachedTokensPerSecond),
  f(r.decodeUncachedTokensPerSecond),
  `${f(r.cacheSpeedup, 2)}×`,
  f(r.perplexityTokensPerSecond),
  f(r.perplexity, 3),
]);
const widths = header.map((h, i) =>
  Math.max(h.length, ...table.map((t) => (t[i] as string).length)),
);
const line = (cells: string[]) =>
  cells
    .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
    .join('  ');
console.log(line(header));
for (const t of table) console.log(line(t));
console.log(
  `\nprefill: batch 1 × ${PREFILL_TOKENS} tokens; decode: greedy after a ${PROMPT_TOKENS}-token prompt, steps after the first token; ppl: 256-token blocks of heldout.txt`,
);

const out = writeBenchResults(
  'llm.json',
  `${device.adapter.description} (${device.kernelVariant} kernels, via ${device.source})`,
  {
    timing: `median wall-clock of ${REPEATS} runs after a warm-up, synced by reading results back`,
    prefillTokens: PREFILL_TOKENS,
    promptTokens: PROMPT_TOKENS,
    rows,
  },
);
console.log(`\nwrote ${out}`);
