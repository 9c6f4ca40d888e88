/** The models a run compares: the original, plain removal of n layers, and the replaced model. */
export type VariantName = 'original' | 'none' | 'replaced';

/** One model's accuracy on a task, as lm-evaluation-harness defines `acc` and `acc_norm`. */
export interface ModelAccuracy {
  acc: number;
  accNorm: number;
}

/** Accuracy of each compared model that was evaluated: original, plain removal (`none`), replaced. */
export type AccuracyByModel = Partial<Record<VariantName, ModelAccuracy>>;

/** One task's results in `streamline.json`. */
export interface TaskRecord {
  /** The file name without folder and extension. */
  task: string;
  file: string;
  /** How the file was read: generic, hellaswag, piqa, arc or winogrande. */
  format: string;
  items: number;
  /** Items whose context lost tokens from the left to fit the block length (as the harness does). */
  truncated: number;
  accuracy: AccuracyByModel;
}

/** Zero-shot multiple-choice accuracy of the compared models, as the paper's tables give it. */
export interface TaskReport {
  /** Positions the models read at most; longer contexts were cut from the left. */
  blockLength: number;
  tasks: TaskRecord[];
  /** Unweighted mean over tasks, per model. */
  average: AccuracyByModel;
  /**
   * Retained performance: each pruned model's average ÷ the original's (present when the original
   * was evaluated and its averages are not zero).
   */
  retention?: Partial<Record<Exclude<VariantName, 'original'>, ModelAccuracy>>;
}

/** The average over tasks and the retention, from the per-task records. */
export function summariseTasks(blockLength: number, tasks: TaskRecord[]): TaskReport {
  const models = [...new Set(tasks.flatMap((t) => Object.keys(t.accuracy)))] as VariantName[];
  const average: AccuracyByModel = {};
  for (const m of models) {
    const mean = (f: (a: ModelAccuracy) => number) =>
      tasks.reduce((s, t) => s + f(t.accuracy[m] as ModelAccuracy), 0) / tasks.length;
    average[m] = { acc: mean((a) => a.acc), accNorm: mean((a) => a.accNorm) };
  }
  const original = average.original;
  // A ratio to zero accuracy means nothing (and JSON has no Infinity).
  if (!original || original.acc === 0 || original.accNorm === 0)
    return { blockLength, tasks, average };
  const retention: TaskReport['retention'] = {};
  for (const m of ['none', 'replaced'] as const) {
    const pruned = average[m];
    if (pruned)
      retention[m] = { acc: pruned.acc / original.acc, accNorm: pruned.accNorm / original.accNorm };
  }
  return { blockLength, tasks, average, retention };
}
