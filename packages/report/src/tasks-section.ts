/**
 * The report's "Task accuracy" section: zero-shot multiple-choice accuracy of the original,
 * plain-removal and replaced models per task (acc and acc_norm as lm-evaluation-harness defines
 * them), their average over tasks and the pruned models' retention (pruned ÷ original), laid out as
 * the paper's tables: one row per model, one column per task. Items whose context was cut from
 * the left to fit the block length are counted under the table.
 */
import type { AccuracyByModel, ModelAccuracy, StreamlineReport } from '@llm-streamline/streamline';
import { escapeXml, isFiniteNumber } from './chart-kit.js';
import { rowHeader, section, table, td } from './html-kit.js';

type ModelName = keyof AccuracyByModel;

/** The section, or '' for a run without tasks. */
export function tasksSection(r: StreamlineReport): string {
  const t = r.tasks;
  if (!t?.tasks.length) return '';
  const exported: ModelName =
    r.replacement.kind === 'none' || r.keep?.kept === 'removal' ? 'none' : 'replaced';
  const labels: Record<ModelName, string> = {
    original: 'original',
    none: 'plain removal',
    replaced: `replaced (${r.replacement.kind})`,
  };
  // Without a replacement the "replaced" figures are plain removal's: one row says it.
  const models = (['original', 'none', 'replaced'] as const).filter(
    (m) => t.average[m] && !(m === 'replaced' && r.replacement.kind === 'none'),
  );
  const several = t.tasks.length > 1;
  const head = [
    'model',
    ...t.tasks.map((task) => escapeXml(task.task)),
    ...(several ? ['average'] : []),
    ...(t.retention ? ['retention'] : []),
  ];
  const rows = models.map((m) => [
    rowHeader(`${labels[m]}${m === exported ? ' — exported' : ''}`),
    ...t.tasks.map((task) => td(pair(task.accuracy[m]))),
    ...(several ? [td(pair(t.average[m]))] : []),
    ...(t.retention ? [td(m === 'original' ? '100% / 100%' : pair(t.retention[m]))] : []),
  ]);
  const cut = t.tasks.filter((task) => task.truncated > 0);
  const truncation = cut.length
    ? `Contexts longer than ${t.blockLength} tokens were cut from the left, as the harness does: ${cut
        .map((task) => `${task.truncated} of ${task.items} items of ${task.task}`)
        .join(', ')}.`
    : `No context was cut: every item fits ${t.blockLength} tokens.`;
  const files = t.tasks
    .map((task) => `${task.task}: ${task.items} items (${task.format}, ${task.file})`)
    .join('; ');
  return section(
    'tasks',
    'Task accuracy',
    `<p>Zero-shot multiple-choice accuracy, acc / acc_norm, as lm-evaluation-harness defines them: a choice's score is the summed log-likelihood of its continuation, divided by its length in characters for acc_norm; the highest score is the prediction. ${several ? 'The average is the unweighted mean over tasks. ' : ''}Retention is the pruned model's ${several ? 'average' : 'accuracy'} ÷ the original's, as the paper reports it. Higher is better.</p>
${table([head, ...rows], 'tasks')}
<p>${escapeXml(files)}. ${escapeXml(truncation)}</p>`,
  );
}

/** "37.26% / 36.94%", or "—" for a model that was not evaluated. */
function pair(a: ModelAccuracy | undefined): string {
  if (!a) return '—';
  return escapeXml(`${percent(a.acc)} / ${percent(a.accNorm)}`);
}

function percent(x: number): string {
  return isFiniteNumber(x) ? `${(100 * x).toFixed(2)}%` : String(x);
}
