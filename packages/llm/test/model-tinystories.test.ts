/**
 * tinystories-12L (Hugging Face directory: safetensors, tokenizer.json) against
 * shared/data/tinystories-12L/reference.json, computed with an independent float32 PyTorch
 * implementation: last-position logits, argmax at every position, greedy continuations, and
 * held-out perplexity by the file's method.
 *
 * Perplexity cost on SwiftShader: one 256-token block through 12 layers takes about 2.5 s of CPU,
 * and batching blocks does not make it cheaper per block, so the whole held-out set (149 blocks)
 * takes 6 minutes or more — beyond the suite's budget. Every run therefore scores a slice
 * (PPL_BLOCKS_NODE / PPL_BLOCKS_BROWSER blocks) against per-block NLLs of a float64 numpy port
 * (test/data/heldout_block_nll.py), whose sum over all 149 blocks reproduces reference.json's
 * perplexity 6.31945 to 1e-9. The full 149-block check against 6.3195 runs in Node when
 * LLM_FULL_PERPLEXITY=1 is set.
 */
import { getDevice } from '@llm-streamline/tensor';
import { readFixtureText, readRepoFile, testRuntime } from '@llm-streamline/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packBlocks, perplexity } from '../src/eval/perplexity.js';
import { generate } from '../src/generate/generate.js';
import type { LoadedModel } from '../src/load/load-model.js';
import type { Tokenizer } from '../src/tokenizer/tokenizer.js';
import {
  argmaxOf,
  collect,
  loadTinystories,
  logitsOf,
  readJsonFixture,
  row,
  TINY,
} from './model-helpers.js';

interface Reference {
  perplexity: {
    block: number;
    blocks: number;
    tokens_scored: number;
    mean_nll: number;
    ppl: number;
  };
  cases: {
    prompt: string;
    input_ids: number[];
    last_logits: number[];
    argmax_per_position: number[];
    greedy_ids: number[];
    greedy_text: string;
  }[];
}

interface BlockNll {
  blocks: number;
  tokens_scored: number;
  mean_nll: number;
  first_ids: number[][];
  block_nll_sum: number[];
}

const VOCAB = 512;
const CONTINUATION = 48;
const PPL_BLOCKS_NODE = 8;
const PPL_BLOCKS_BROWSER = 4;
const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
const FULL_PERPLEXITY = testRuntime === 'node' && env?.LLM_FULL_PERPLEXITY === '1';

let loaded: LoadedModel;
let tokenizer: Tokenizer;
let reference: Reference;

beforeAll(async () => {
  await getDevice();
  loaded = await loadTinystories();
  tokenizer = loaded.tokenizer as Tokenizer;
  reference = await readJsonFixture<Reference>(`${TINY}/reference.json`);
});

afterAll(() => loaded?.model.dispose());

describe('tinystories-12L against reference.json', () => {
  it('loads the 12-layer GQA configuration', () => {
    expect(loaded.config).toMatchObject({
      hiddenSize: 128,
      intermediateSize: 352,
      numLayers: 12,
      numHeads: 8,
      numKvHeads: 4,
      headDim: 16,
      vocabSize: VOCAB,
      tieWordEmbeddings: true,
    });
    expect(reference.cases).toHaveLength(3);
  });

  for (const index of [0, 1, 2]) {
    it(`case ${index}: ids, last-position logits (1e-3), argmax at every position`, async () => {
      const c = (reference as Reference).cases[index] as Reference['cases'][number];
      expect(tokenizer.encode(c.prompt)).toEqual(c.input_ids);
      const logits = await logitsOf(loaded.model, c.input_ids);
      const t = c.input_ids.length;
      expect(row(logits, t - 1, VOCAB), c.prompt).toBeAllclose(c.last_logits, {
        atol: 1e-3,
        rtol: 0,
      });
      const argmax = Array.from({ length: t }, (_, p) => argmaxOf(row(logits, p, VOCAB)));
      expect(argmax).toEqual(c.argmax_per_position);
    });

    it(`case ${index}: greedy ${CONTINUATION}-token continuation`, async () => {
      const c = (reference as Reference).cases[index] as Reference['cases'][number];
      const p = c.input_ids.length;
      // `steps` counts positions, the prompt's included: P + 47 positions give 48 new tokens.
      const generated = await collect(
        generate(loaded.model, c.input_ids, { temperature: 0, steps: p + CONTINUATION - 1 }),
      );
      expect([...c.input_ids, ...generated]).toEqual(c.greedy_ids);
      expect(tokenizer.decode(c.greedy_ids)).toBe(c.greedy_text);
    });
  }
});

describe('tinystories-12L perplexity on heldout.txt', () => {
  let blocks: number[][];
  let perBlock: BlockNll;

  beforeAll(async () => {
    blocks = packBlocks(await readFixtureText(`${TINY}/heldout.txt`), tokenizer, 256);
    const json = await readRepoFile(
      'packages/llm/test/data/tinystories-12L-heldout-block-nll.json',
    );
    perBlock = JSON.parse(new TextDecoder().decode(json)) as BlockNll;
  });

  it('packs heldout.txt into the 149 blocks of the reference method', () => {
    expect(blocks).toHaveLength(reference.perplexity.blocks);
    expect(blocks.length * (reference.perplexity.block - 1)).toBe(
      reference.perplexity.tokens_scored,
    );
    expect(blocks.every((b) => b.length === 256)).toBe(true);
    expect(blocks.map((b) => b.slice(0, 8))).toEqual(perBlock.first_ids);
    // The numpy port's total is the reference's: its per-block values are a valid oracle.
    expect(perBlock.mean_nll).toBeCloseTo(reference.perplexity.mean_nll, 6);
  });

  const slice = testRuntime === 'node' ? PPL_BLOCKS_NODE : PPL_BLOCKS_BROWSER;
  it(`scores the first ${slice} blocks as the reference port does`, async () => {
    const result = await perplexity(loaded.model, blocks.slice(0, slice), { batchSize: 4 });
    const expectedSum = perBlock.block_nll_sum.slice(0, slice).reduce((a, b) => a + b, 0);
    expect(result.tokensScored).toBe(slice * 255);
    expect(result.blocks).toBe(slice);
    expect(Math.abs(result.meanNll - expectedSum / result.tokensScored)).toBeLessThan(1e-4);
    expect(result.perplexity).toBeCloseTo(Math.exp(result.meanNll), 10);
  });

  it.runIf(FULL_PERPLEXITY)(
    'matches perplexity 6.3195 on all 149 blocks (within 0.5%)',
    async () => {
      const result = await perplexity(loaded.model, blocks, { batchSize: 4 });
      expect(result.tokensScored).toBe(reference.perplexity.tokens_scored);
      expect(Math.abs(result.perplexity / reference.perplexity.ppl - 1)).toBeLessThan(0.005);
      expect(Math.abs(result.meanNll - perBlock.mean_nll)).toBeLessThan(1e-4);
    },
    1_800_000,
  );
});
