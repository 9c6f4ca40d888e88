/**
 * Step 6b: zero-shot multiple-choice accuracy of the same models step 6 compares (original, plain
 * removal, replaced), on the tasks given: each task's items run once through the shared layers
 * and then through each model's own (scoreMultipleChoiceOfVariants). Skipped without tasks; on
 * failure the replacement is freed, as every later stage does.
 */
import {
  type DecoderBlock,
  encodeChoices,
  type MultipleChoiceTask,
  scoreMultipleChoiceOfVariants,
} from '@llm-streamline/llm';
import type { ResolvedOptions } from '../pipeline/defaults.js';
import { variantLayers } from '../pipeline/evaluate-variants.js';
import { summariseTasks, type TaskRecord, type TaskReport } from '../pipeline/task-record.js';
import type { ChosenWindows } from './choose-window.js';
import type { RunClock } from './run-clock.js';

/**
 * Encodes every task's choices: a choice that does not fit the block length is an error naming
 * its file and line before any compute, rather than after training.
 */
export function checkTasks(o: Pick<ResolvedOptions, 'tasks' | 'tokenizer' | 'blockLength'>): void {
  for (const task of o.tasks ?? [])
    encodeChoices(o.tokenizer, task.items, { blockLength: o.blockLength, source: task.file });
}

export async function evaluateTasks(
  o: ResolvedOptions,
  windows: ChosenWindows,
  replacement: DecoderBlock | undefined,
  clock: RunClock,
): Promise<TaskReport | undefined> {
  const tasks: readonly MultipleChoiceTask[] = o.tasks ?? [];
  if (tasks.length === 0) return undefined;
  const { names, shared, suffixes } = variantLayers(o.model, {
    ...windows,
    replacement,
    compareBaselines: o.compareBaselines !== false,
  });
  try {
    return await clock.timed('tasks', async () => {
      const records: TaskRecord[] = [];
      for (const task of tasks) {
        const results = await scoreMultipleChoiceOfVariants(
          o.model,
          o.tokenizer,
          task.items,
          shared,
          suffixes,
          {
            blockLength: o.blockLength,
            // As many positions per forward pass as a batch of blocks has.
            batchTokens: o.batchSize * o.blockLength,
            source: task.file,
            shouldStop: () => o.signal?.aborted ?? false,
            onProgress: clock.progress(
              'tasks',
              `task ${task.name}: choices of the compared models`,
            ),
          },
        );
        const byName = new Map(names.map((name, k) => [name, results[k]]));
        // Without a replacement the exported model is plain removal, as for perplexity.
        const replaced = byName.get('replaced') ?? byName.get('none');
        if (replaced) byName.set('replaced', replaced);
        const accuracy: TaskRecord['accuracy'] = {};
        for (const [name, r] of byName) if (r) accuracy[name] = { acc: r.acc, accNorm: r.accNorm };
        const first = results[0];
        records.push({
          task: task.name,
          file: task.file,
          format: task.format,
          items: task.items.length,
          truncated: first?.truncated ?? 0,
          accuracy,
        });
      }
      return summariseTasks(o.blockLength, records);
    });
  } catch (e) {
    replacement?.dispose();
    throw o.signal?.aborted ? o.signal.reason : e;
  }
}
