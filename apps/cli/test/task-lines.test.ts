/** `prune`'s task lines, from a hand-made record whose percentages are written out here. */
import type { StreamlineReport } from '@llm-streamline/streamline';
import { describe, expect, it } from 'vitest';
import { taskLines } from '../src/output/task-lines.js';

const TASKS: NonNullable<StreamlineReport['tasks']> = {
  blockLength: 256,
  tasks: [
    {
      task: 'story-endings',
      file: 'story-endings.jsonl',
      format: 'generic',
      items: 4,
      truncated: 1,
      accuracy: {
        original: { acc: 0.5, accNorm: 0.75 },
        none: { acc: 0.25, accNorm: 0.5 },
        replaced: { acc: 0.5, accNorm: 0.5 },
      },
    },
  ],
  average: {
    original: { acc: 0.5, accNorm: 0.75 },
    none: { acc: 0.25, accNorm: 0.5 },
    replaced: { acc: 0.5, accNorm: 0.5 },
  },
  retention: { none: { acc: 0.5, accNorm: 2 / 3 }, replaced: { acc: 1, accNorm: 2 / 3 } },
};

describe('taskLines', () => {
  it('gives each model per task, the truncation and the retention', () => {
    expect(taskLines(TASKS, 'ffn')).toEqual([
      'task story-endings (4 items, 1 truncated from the left to 256 tokens), acc / acc_norm: original 50.00% / 75.00%, plain removal 25.00% / 50.00%, ffn 50.00% / 50.00%',
      'retention (pruned ÷ original, acc / acc_norm): plain removal 50.00% / 66.67%, ffn 100.00% / 66.67%',
    ]);
  });

  it('names plain removal once when the kind is none', () => {
    const lines = taskLines(TASKS, 'none');
    expect(lines[0]).toMatch(/plain removal 25\.00% \/ 50\.00%$/);
    expect(lines[1]).toMatch(/: plain removal 50\.00% \/ 66\.67%$/);
  });

  it('adds the average over several tasks', () => {
    const two = {
      ...TASKS,
      tasks: [...TASKS.tasks, { ...(TASKS.tasks[0] as (typeof TASKS.tasks)[0]), task: 'b' }],
    };
    expect(taskLines(two, 'ffn')[2]).toBe(
      'average over 2 tasks: original 50.00% / 75.00%, plain removal 25.00% / 50.00%, ffn 50.00% / 50.00%',
    );
  });
});
