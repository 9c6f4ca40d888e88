/**
 * `eval` and `generate` end to end on stories260K: the perplexity equals llm's perplexity() on the
 * same blocks in-process, and greedy generation reproduces llama2.c's run.c output (reference
 * text from the shared data) and the in-process generate().
 */
import { readFile } from 'node:fs/promises';
import { generate, packBlocks, perplexity } from '@llm-streamline/llm';
import { loadModelFromPath } from '@llm-streamline/llm/node';
import { getDevice } from '@llm-streamline/tensor';
import { readFixtureText } from '@llm-streamline/test-utils';
import { describe, expect, it } from 'vitest';
import { HELDOUT, jsonResult, runCli, STORIES_BIN } from './helpers.js';

describe('eval', () => {
  it('reports the perplexity llm computes on the same blocks', async () => {
    const run = await runCli([
      'eval',
      STORIES_BIN,
      '--data',
      HELDOUT,
      '--block-length',
      '64',
      '--blocks',
      '6',
      '--batch',
      '4',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = jsonResult<{
      perplexity: number;
      blocks: number;
      tokensScored: number;
      tokensPerSecond: number;
    }>(run);
    expect(r.blocks).toBe(6);
    expect(r.tokensScored).toBe(6 * 63);
    expect(r.tokensPerSecond).toBeGreaterThan(0);

    await getDevice();
    const { model, tokenizer } = await loadModelFromPath(STORIES_BIN);
    const blocks = packBlocks(
      await readFile(HELDOUT, 'utf8'),
      tokenizer as NonNullable<typeof tokenizer>,
      64,
    ).slice(0, 6);
    const want = await perplexity(model, blocks, { batchSize: 4 });
    model.dispose();
    expect(r.perplexity).toBeCloseTo(want.perplexity, 6);
  });

  it('says what is missing when a non-bundled model has no --data', async () => {
    const run = await runCli(['eval', STORIES_BIN]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'llm-streamline: eval needs --data TEXT (or --tasks FILE) for a model other than the bundled one or a folder written by prune — give a held-out text file\n',
    );
  });
});

describe('generate', () => {
  it('greedy output reproduces run.c and the in-process generate()', async () => {
    const run = await runCli([
      'generate',
      STORIES_BIN,
      '--prompt',
      'Once upon a time',
      '--temperature',
      '0',
      '--max-tokens',
      '60',
      '--quiet',
    ]);
    expect(run.code, run.stderr).toBe(0);
    // run.c -t 0 -n 64 -i "Once upon a time": 64 positions, the 5 prompt tokens included.
    expect(run.stdout).toBe(
      await readFixtureText('stories260K/reference/run_t0_n64_prompt_once_upon_a_time.txt'),
    );

    const json = jsonResult<{ tokens: number[]; text: string }>(
      await runCli([
        'generate',
        STORIES_BIN,
        '--prompt',
        'Once upon a time',
        '--temperature',
        '0',
        '--max-tokens',
        '60',
        '--json',
      ]),
    );
    await getDevice();
    const { model, tokenizer } = await loadModelFromPath(STORIES_BIN);
    const prompt = (tokenizer as NonNullable<typeof tokenizer>).encode('Once upon a time', {
      bos: true,
    });
    const want: number[] = [];
    for await (const id of generate(model, prompt, {
      temperature: 0,
      steps: prompt.length + 59,
      stopIds: [1, 2],
    }))
      want.push(id);
    model.dispose();
    expect(json.tokens).toEqual(want);
    expect(`${json.text}\n`).toBe(run.stdout);
  });

  it('samples reproducibly with a seed', async () => {
    const args = [
      'generate',
      STORIES_BIN,
      '--temperature',
      '1',
      '--top-p',
      '0.9',
      '--seed',
      '7',
      '--max-tokens',
      '40',
      '--quiet',
    ];
    const [a, b] = [await runCli(args), await runCli(args)];
    expect(a.code).toBe(0);
    expect(a.stdout.length).toBeGreaterThan(20);
    expect(b.stdout).toBe(a.stdout);
  });
});
