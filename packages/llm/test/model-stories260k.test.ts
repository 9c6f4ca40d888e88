/**
 * stories260K (llama2.c checkpoint + tok512.bin) against the run.c references in
 * shared/data/stories260K/reference: logits from the float32 numpy port, and run.c's stdout
 * byte for byte (greedy, prompted, and seeded top-p sampling with llama2.c's xorshift generator).
 */
import { getDevice } from '@llm-streamline/tensor';
import { readFixtureText } from '@llm-streamline/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from '../src/generate/generate.js';
import type { LoadedModel } from '../src/load/load-model.js';
import type { Tokenizer } from '../src/tokenizer/tokenizer.js';
import {
  collect,
  loadStories260K,
  logitsOf,
  readJsonFixture,
  row,
  runcText,
  STORIES,
} from './model-helpers.js';

interface Oracles {
  logits_pos0_after_bos: number[];
  logits_after_prompt_once_upon_a_time: {
    position: number;
    input_token_id: number;
    logits: number[];
  };
  greedy_no_prompt_200_steps: { token_ids: number[] };
  greedy_prompt_once_upon_a_time_64_steps: { prompt_token_ids: number[]; token_ids: number[] };
}

const BOS = 1;
const VOCAB = 512;
const reference = (file: string) => readFixtureText(`${STORIES}/reference/${file}`);

let loaded: LoadedModel;
let tokenizer: Tokenizer;
let oracles: Oracles;

beforeAll(async () => {
  await getDevice();
  loaded = await loadStories260K();
  tokenizer = loaded.tokenizer as Tokenizer;
  oracles = await readJsonFixture<Oracles>(`${STORIES}/reference/stories260K_oracles.json`);
});

afterAll(() => loaded?.model.dispose());

/**
 * Generates like run.c without a prompt: the ids (BOS first) and what run.c prints for them.
 * run.c stops as soon as it samples BOS.
 */
async function run(
  options: Parameters<typeof generate>[2],
): Promise<{ ids: number[]; text: string }> {
  const ids = [
    BOS,
    ...(await collect(generate(loaded.model, [BOS], { stopIds: [BOS], ...options }))),
  ];
  return { ids, text: runcText(tokenizer, ids) };
}

describe('stories260K from stories260K.bin', () => {
  it('has the configuration of the model card', () => {
    expect(loaded.format).toBe('llama2c');
    expect(loaded.config).toMatchObject({
      hiddenSize: 64,
      intermediateSize: 172,
      numLayers: 5,
      numHeads: 8,
      numKvHeads: 4,
      headDim: 8,
      vocabSize: VOCAB,
      tieWordEmbeddings: true,
    });
  });

  it('matches the oracle logits at position 0 after BOS and after "Once upon a time"', async () => {
    expect(await logitsOf(loaded.model, [BOS]), 'BOS').toBeAllclose(oracles.logits_pos0_after_bos, {
      atol: 1e-3,
      rtol: 0,
    });
    const after = oracles.logits_after_prompt_once_upon_a_time;
    const ids = tokenizer.encode('Once upon a time', { bos: true });
    expect(ids).toEqual([1, 403, 407, 261, 378]);
    expect(ids[after.position]).toBe(after.input_token_id);
    const logits = await logitsOf(loaded.model, ids);
    expect(row(logits, after.position, VOCAB), 'after prompt').toBeAllclose(after.logits, {
      atol: 1e-3,
      rtol: 0,
    });
    // Position 0 of the longer sequence is the same computation as the BOS-only pass.
    expect(row(logits, 0, VOCAB), 'position 0').toBeAllclose(oracles.logits_pos0_after_bos, {
      atol: 1e-3,
      rtol: 0,
    });
  });

  it('reproduces run.c greedy output: no prompt, 200 steps (run_t0_n200.txt)', async () => {
    const { ids, text } = await run({ temperature: 0, steps: 200 });
    expect(ids).toEqual(oracles.greedy_no_prompt_200_steps.token_ids);
    expect(text).toBe(await reference('run_t0_n200.txt'));
  });

  it('reproduces run.c greedy output with the prompt "Once upon a time", 64 steps', async () => {
    const promptIds = tokenizer.encode('Once upon a time', { bos: true });
    const oracle = oracles.greedy_prompt_once_upon_a_time_64_steps;
    expect(promptIds).toEqual(oracle.prompt_token_ids);
    const generated = await collect(
      generate(loaded.model, promptIds, { temperature: 0, steps: 64, stopIds: [BOS] }),
    );
    expect([...promptIds, ...generated]).toEqual(oracle.token_ids);
    expect(runcText(tokenizer, [...promptIds, ...generated])).toBe(
      await reference('run_t0_n64_prompt_once_upon_a_time.txt'),
    );
  });

  it('reproduces run.c top-p sampling, seed 42 (temperature 1, top-p 0.9, 256 steps)', async () => {
    const { text } = await run({ temperature: 1, topP: 0.9, seed: 42, steps: 256 });
    expect(text).toBe(await reference('run_t1.0_p0.9_s42_n256.txt'));
  });

  it('reproduces run.c top-p sampling, seed 133742 (temperature 1, top-p 0.9, 256 steps)', async () => {
    const { text } = await run({ temperature: 1, topP: 0.9, seed: 133742, steps: 256 });
    expect(text).toBe(await reference('run_t1.0_p0.9_s133742_n256.txt'));
  });
});
