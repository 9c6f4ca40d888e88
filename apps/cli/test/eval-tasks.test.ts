/**
 * `eval --tasks` end to end on stories260K: the accuracies equal llm's scoreMultipleChoice on the
 * same items in-process, the average is over tasks, and a bad task file is an error naming the
 * file and line before any model is loaded.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseTaskFile, scoreMultipleChoice } from '@llm-streamline/llm';
import { loadModelFromPath } from '@llm-streamline/llm/node';
import { getDevice } from '@llm-streamline/tensor';
import { describe, expect, it } from 'vitest';
import { jsonResult, runCli, STORIES_BIN, tempDir } from './helpers.js';

const line = (context: string, choices: string[], gold: number) =>
  JSON.stringify({ context, choices, gold });

describe('eval --tasks', () => {
  it('reports acc, acc_norm, truncation and the average as llm computes them', async () => {
    const dir = await tempDir();
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    await writeFile(
      a,
      [
        line('Once upon a time, there was a little', ['girl.', 'moon cheese table.'], 0),
        line('Tom and Sue went to the park. They played on the', ['swings.', 'car.', 'sad.'], 1),
      ].join('\n'),
    );
    await writeFile(
      b,
      `${line('Lily saw a big dog in the garden. The dog was very friendly and it wanted to play with her all day long. Lily', ['smiled.', 'ate a house.'], 0)}\n`,
    );
    const run = await runCli([
      'eval',
      STORIES_BIN,
      '--tasks',
      `${a},${b}`,
      '--block-length',
      '16',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const r = jsonResult<{
      tasks: { task: string; items: number; acc: number; accNorm: number; truncated: number }[];
      average: { acc: number; accNorm: number };
      perplexity?: number;
    }>(run);
    expect(r.perplexity).toBeUndefined(); // no --data: tasks only
    expect(r.tasks.map((t) => [t.task, t.items])).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
    expect(r.tasks[1]?.truncated).toBe(1); // the long story does not fit 16 positions

    await getDevice();
    const { model, tokenizer } = await loadModelFromPath(STORIES_BIN);
    try {
      for (const [k, file] of [a, b].entries()) {
        const task = parseTaskFile(await readFile(file, 'utf8'), file);
        const want = await scoreMultipleChoice(
          model,
          tokenizer as NonNullable<typeof tokenizer>,
          task.items,
          {
            blockLength: 16,
          },
        );
        expect(r.tasks[k]).toMatchObject({
          acc: want.acc,
          accNorm: want.accNorm,
          truncated: want.truncated,
        });
      }
    } finally {
      model.dispose();
    }
    expect(r.average.acc).toBeCloseTo(((r.tasks[0]?.acc ?? 0) + (r.tasks[1]?.acc ?? 0)) / 2, 12);
  }, 600_000); // two model loads and a subprocess: slow on a loaded software adapter

  it('names the file and line of a bad item', async () => {
    const file = join(await tempDir(), 'bad.jsonl');
    await writeFile(file, `${line('a', ['b', 'c'], 0)}\n${line('a', ['b', 'c'], 5)}\n`);
    const run = await runCli(['eval', STORIES_BIN, '--tasks', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `--tasks ${file}:2: generic: gold 5 is out of range: expected 0…1 for 2 choices`,
    );
  });
});
