/**
 * `prune`'s task lines: per task each compared model's acc / acc_norm and how many contexts were
 * cut, the average over tasks, and the pruned models' retention (pruned ÷ original).
 */
import type { AccuracyByModel, StreamlineReport } from '@llm-streamline/streamline';

/** Per task and on average: each model's acc / acc_norm, then the pruned models' retention. */
export function taskLines(t: NonNullable<StreamlineReport['tasks']>, kind: string): string[] {
  const names = { original: 'original', none: 'plain removal', replaced: kind };
  const pct = (x: number | undefined) => (x === undefined ? '—' : `${(100 * x).toFixed(2)}%`);
  // With kind none the "replaced" model is plain removal: one entry says it.
  const shown = (['original', 'none', 'replaced'] as const).filter(
    (m) => !(m === 'replaced' && kind === 'none'),
  );
  const models = (a: AccuracyByModel) =>
    shown
      .filter((m) => a[m])
      .map((m) => `${names[m]} ${pct(a[m]?.acc)} / ${pct(a[m]?.accNorm)}`)
      .join(', ');
  const lines = t.tasks.map(
    (task) =>
      `task ${task.task} (${task.items} items${task.truncated ? `, ${task.truncated} truncated from the left to ${t.blockLength} tokens` : ''}), acc / acc_norm: ${models(task.accuracy)}`,
  );
  if (t.tasks.length > 1) lines.push(`average over ${t.tasks.length} tasks: ${models(t.average)}`);
  if (t.retention)
    lines.push(`retention (pruned ÷ original, acc / acc_norm): ${models(t.retention)}`);
  return lines;
}
