/**
 * Task accuracy inside the pipeline: streamline() with `tasks` scores the original, plain-removal
 * and replaced models on them. Reference: scoreMultipleChoice (itself checked against a naive
 * log-softmax loop in the llm package) on each model built by hand — a fresh stories260K, the same
 * with the removal window spliced out, and the model streamline() returns with the replacement
 * kept — with no shared prefix. The average and retention against the arithmetic written out.
 */
import {
  type LlamaForCausalLM,
  type MultipleChoiceTask,
  parseTaskFile,
  scoreMultipleChoice,
  splitDocuments,
  type Tokenizer,
} from '@llm-streamline/llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StreamlineReport, streamline, summariseTasks } from '../src/index.js';
import { loadStories260K, storiesParagraphs } from './helpers.js';
import { schemaErrors } from './schema-check.js';

const TINY = {
  blockLength: 48,
  scoringBlocks: 3,
  trainingBlocks: 4,
  validationBlocks: 2,
  batchSize: 2,
  epochs: 1,
  seed: 0,
} as const;

/**
 * Story endings as the bundled task makes them: a story without its last sentence, its true last
 * sentence and those of other stories. Most stories are longer than 48 tokens, so they are
 * truncated.
 */
function storyTask(stories: string[][], name: string): MultipleChoiceTask {
  const lines = stories.map((story, i) => {
    const ending = (k: number) => (stories[(i + k) % stories.length] as string[]).at(-1);
    const gold = i % 3;
    const choices = [ending(1), ending(2)];
    choices.splice(gold, 0, ending(0));
    return JSON.stringify({ context: story.slice(0, -1).join(' '), choices, gold });
  });
  return parseTaskFile(lines.join('\n'), `${name}.jsonl`);
}

let tokenizer: Tokenizer;
let tasks: MultipleChoiceTask[];
let report: StreamlineReport;
let pruned: LlamaForCausalLM;
let fresh: LlamaForCausalLM;

beforeAll(async () => {
  const loaded = await loadStories260K();
  tokenizer = loaded.tokenizer;
  fresh = loaded.model;
  // Stories of two sentences or more whose last sentence is short enough to score.
  const stories = splitDocuments(await storiesParagraphs(400, 100))
    .map((s) => s.split(/(?<=[.!?])\s+/))
    .filter((s) => s.length >= 2 && tokenizer.encode(` ${s.at(-1)}`).length < 24)
    .slice(0, 12);
  expect(stories).toHaveLength(12);
  tasks = [storyTask(stories.slice(0, 6), 'first'), storyTask(stories.slice(6), 'second')];
  const run = await loadStories260K();
  pruned = run.model;
  ({ report } = await streamline({
    model: pruned,
    tokenizer,
    calibrationText: await storiesParagraphs(0, 20),
    evaluationText: await storiesParagraphs(300, 2),
    target: { layers: 1 },
    replacement: 'ffn',
    keep: 'replaced',
    tasks,
    onWarning: () => {},
    ...TINY,
  }));
}, 300_000);

afterAll(() => {
  pruned?.dispose();
  fresh?.dispose();
});

describe('streamline() with tasks', () => {
  it('records each model as scoring it alone would', async () => {
    const t = report.tasks;
    if (!t) throw new Error('no tasks in the report');
    expect(t.blockLength).toBe(TINY.blockLength);
    expect(schemaErrors(report)).toEqual([]);
    const options = { blockLength: TINY.blockLength };
    const { start, size } = report.removalWindow;
    for (const [k, task] of tasks.entries()) {
      const record = t.tasks[k];
      expect(record?.task).toBe(task.name);
      expect(record?.items).toBe(task.items.length);
      const original = await scoreMultipleChoice(fresh, tokenizer, task.items, options);
      const removed = fresh.layers.splice(start, size);
      let none: Awaited<typeof original>;
      try {
        none = await scoreMultipleChoice(fresh, tokenizer, task.items, options);
      } finally {
        fresh.layers.splice(start, 0, ...removed);
      }
      const replaced = await scoreMultipleChoice(pruned, tokenizer, task.items, options);
      expect(record?.accuracy).toEqual({
        original: { acc: original.acc, accNorm: original.accNorm },
        none: { acc: none.acc, accNorm: none.accNorm },
        replaced: { acc: replaced.acc, accNorm: replaced.accNorm },
      });
      expect(record?.truncated).toBe(original.truncated);
    }
    // Some story does not fit 48 tokens, so truncation is exercised and counted.
    expect(t.tasks.reduce((n, r) => n + r.truncated, 0)).toBeGreaterThan(0);
  });

  it('averages over tasks and divides by the original for retention', () => {
    const t = report.tasks as NonNullable<StreamlineReport['tasks']>;
    const [a, b] = t.tasks.map((r) => r.accuracy) as [
      (typeof t.tasks)[0]['accuracy'],
      (typeof t.tasks)[0]['accuracy'],
    ];
    const mean = (x = 0, y = 0) => (x + y) / 2;
    expect(t.average.original?.acc).toBeCloseTo(mean(a.original?.acc, b.original?.acc), 12);
    expect(t.average.none?.accNorm).toBeCloseTo(mean(a.none?.accNorm, b.none?.accNorm), 12);
    expect(t.retention?.replaced?.acc).toBeCloseTo(
      mean(a.replaced?.acc, b.replaced?.acc) / mean(a.original?.acc, b.original?.acc),
      12,
    );
  });
});

describe('summariseTasks', () => {
  const record = (acc: number, accNorm: number, original = { acc: 0.5, accNorm: 0.25 }) => ({
    task: 't',
    file: 't.jsonl',
    format: 'generic',
    items: 4,
    truncated: 0,
    accuracy: { original, none: { acc, accNorm } },
  });

  it('gives the unweighted mean and pruned ÷ original', () => {
    const s = summariseTasks(64, [record(0.25, 0.25), record(0.75, 0.5)]);
    expect(s.average).toEqual({
      original: { acc: 0.5, accNorm: 0.25 },
      none: { acc: 0.5, accNorm: 0.375 },
    });
    expect(s.retention).toEqual({ none: { acc: 1, accNorm: 1.5 } });
  });

  it('gives no retention when the original scored zero (no infinite ratio)', () => {
    const s = summariseTasks(64, [record(0.25, 0.25, { acc: 0, accNorm: 0.5 })]);
    expect(s.retention).toBeUndefined();
  });
});
