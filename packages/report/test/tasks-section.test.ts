/**
 * The "Task accuracy" section of report.html, on a real run's streamline.json (stories260K, n = 1,
 * ffn) with a hand-made task record whose percentages are written out here by hand.
 */
import type { StreamlineReport } from '@llm-streamline/streamline';
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../src/index.js';
import { tasksSection } from '../src/tasks-section.js';
import realRun from './fixtures/stories260k-ffn.streamline.json' with { type: 'json' };
import { all, type El, expectAccessible, named, parse, textOf } from './markup-reader.js';

function withTasks(): StreamlineReport {
  return {
    ...(realRun as StreamlineReport),
    tasks: {
      blockLength: 64,
      tasks: [
        {
          task: 'story-endings',
          file: 'story-endings.jsonl',
          format: 'generic',
          items: 200,
          truncated: 3,
          accuracy: {
            original: { acc: 0.4, accNorm: 0.5 },
            none: { acc: 0.3, accNorm: 0.25 },
            replaced: { acc: 0.35, accNorm: 0.4 },
          },
        },
        {
          task: 'piqa',
          file: 'piqa.jsonl',
          format: 'piqa',
          items: 100,
          truncated: 0,
          accuracy: {
            original: { acc: 0.6, accNorm: 0.7 },
            none: { acc: 0.5, accNorm: 0.55 },
            replaced: { acc: 0.55, accNorm: 0.6 },
          },
        },
      ],
      average: {
        original: { acc: 0.5, accNorm: 0.6 },
        none: { acc: 0.4, accNorm: 0.4 },
        replaced: { acc: 0.45, accNorm: 0.5 },
      },
      retention: {
        none: { acc: 0.8, accNorm: 0.4 / 0.6 },
        replaced: { acc: 0.9, accNorm: 0.5 / 0.6 },
      },
    },
  };
}

function rowsOf(html: string): string[][] {
  const doc = parse(html);
  expectAccessible(doc);
  const tableEl = all(doc, (e) => e.name === 'table' && e.attrs.class === 'tasks')[0] as El;
  return all(tableEl, named('tr')).map((tr) =>
    all(tr, (e) => e.name === 'td' || e.name === 'th').map(textOf),
  );
}

describe('tasksSection', () => {
  it('gives each model per task, the average and the retention, marking the exported one', () => {
    const report = withTasks();
    expect(report.keep?.kept ?? 'replaced').toBe('replaced');
    expect(rowsOf(renderReportHtml(report))).toEqual([
      ['model', 'story-endings', 'piqa', 'average', 'retention'],
      ['original', '40.00% / 50.00%', '60.00% / 70.00%', '50.00% / 60.00%', '100% / 100%'],
      ['plain removal', '30.00% / 25.00%', '50.00% / 55.00%', '40.00% / 40.00%', '80.00% / 66.67%'],
      [
        'replaced (ffn) — exported',
        '35.00% / 40.00%',
        '55.00% / 60.00%',
        '45.00% / 50.00%',
        '90.00% / 83.33%',
      ],
    ]);
  });

  it('says how many contexts were cut to the block length', () => {
    const html = tasksSection(withTasks());
    expect(html).toContain('3 of 200 items of story-endings');
    const none = withTasks();
    for (const t of none.tasks?.tasks ?? []) t.truncated = 0;
    expect(tasksSection(none)).toContain('No context was cut: every item fits 64 tokens.');
  });

  it('marks plain removal as exported when it was kept', () => {
    const report: StreamlineReport = {
      ...withTasks(),
      keep: { mode: 'removal', kept: 'removal', reason: '--keep removal' },
    };
    const rows = rowsOf(renderReportHtml(report));
    expect(rows.map((r) => r[0])).toEqual([
      'model',
      'original',
      'plain removal — exported',
      'replaced (ffn)',
    ]);
  });

  it('is left out for a run without tasks', () => {
    expect(tasksSection(realRun as StreamlineReport)).toBe('');
    expect(renderReportHtml(realRun as StreamlineReport)).not.toContain('id="tasks"');
  });
});
