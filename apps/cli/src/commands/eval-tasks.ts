/**
 * `eval --tasks`: zero-shot multiple-choice accuracy of one model on task files, as
 * lm-evaluation-harness computes it (acc, acc_norm), with the average over tasks and how many
 * items had their context cut to the block length.
 */
import {
  type LlamaForCausalLM,
  type MultipleChoiceTask,
  scoreMultipleChoice,
  type Tokenizer,
} from '@llm-streamline/llm';
import type { Reporter } from '../output/reporter.js';
import { taskItemError } from '../task-input.js';

/** One task's accuracy, as the JSON result gives it. */
export interface TaskAccuracy {
  task: string;
  file: string;
  format: string;
  items: number;
  acc: number;
  accNorm: number;
  /** Items whose context lost tokens from the left to fit the block length. */
  truncated: number;
}

export interface TaskAccuracies {
  tasks: TaskAccuracy[];
  /** Unweighted mean over tasks (as the paper's tables average). */
  average: { acc: number; accNorm: number };
}

/** Scores every task with the model; progress counts each task's choices. */
export async function evaluateTasks(
  model: LlamaForCausalLM,
  tokenizer: Tokenizer,
  tasks: readonly MultipleChoiceTask[],
  options: {
    blockLength: number;
    batchSize: number;
    reporter: Reporter;
    shouldStop: () => boolean;
  },
): Promise<TaskAccuracies> {
  const results: TaskAccuracy[] = [];
  for (const task of tasks) {
    let r: Awaited<ReturnType<typeof scoreMultipleChoice>>;
    try {
      r = await scoreMultipleChoice(model, tokenizer, task.items, {
        blockLength: options.blockLength,
        // As many positions per forward pass as a batch of blocks has.
        batchTokens: options.batchSize * options.blockLength,
        source: task.file,
        shouldStop: options.shouldStop,
        onProgress: (done, total) =>
          options.reporter.progress({ stage: `task ${task.name}`, done, total, unit: 'choices' }),
      });
    } catch (e) {
      throw taskItemError(e, [task]);
    }
    results.push({
      task: task.name,
      file: task.file,
      format: task.format,
      items: r.items,
      acc: r.acc,
      accNorm: r.accNorm,
      truncated: r.truncated,
    });
  }
  const mean = (f: (t: TaskAccuracy) => number) =>
    results.reduce((s, t) => s + f(t), 0) / results.length;
  return { tasks: results, average: { acc: mean((t) => t.acc), accNorm: mean((t) => t.accNorm) } };
}

/** The human-readable lines: one per task, then the average when there are several. */
export function formatTaskAccuracies(r: TaskAccuracies, blockLength: number): string {
  const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
  const lines = r.tasks.map(
    (t) =>
      `${t.task}: acc ${pct(t.acc)}  acc_norm ${pct(t.accNorm)}  (${t.items} items, ${t.format}` +
      `${t.truncated > 0 ? `; ${t.truncated} truncated from the left to ${blockLength} tokens` : ''})`,
  );
  if (r.tasks.length > 1)
    lines.push(
      `average over ${r.tasks.length} tasks: acc ${pct(r.average.acc)}  acc_norm ${pct(r.average.accNorm)}`,
    );
  return lines.join('\n');
}
