/**
 * The "Methods for the same n" section of report.html, on a real run's streamline.json (stories260K,
 * n = 1, ffn) with hand-made baselines whose figures are written out here by hand.
 */
import type { StreamlineReport } from '@llm-streamline/streamline';
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../src/index.js';
import { layerList, methodsSection } from '../src/methods-section.js';
import realRun from './fixtures/stories260k-ffn.streamline.json' with { type: 'json' };
import { all, type El, expectAccessible, named, parse, textOf } from './markup-reader.js';

/** The real run (original 4.730…, plain removal of layer 2 10.649…, layers 3–4 replaced 12.379…), with baselines. */
function withBaselines(): StreamlineReport {
  return {
    ...(realRun as StreamlineReport),
    baselines: [
      {
        method: 'short-gpt',
        description: 'ShortGPT',
        layers: [4],
        scores: [0.3, 0.2, 0.12, 0.15, 0.1],
        perplexity: 9.4605, // about 2 × original: +100.0%
      },
      {
        method: 'ppl-window',
        description: 'ppl window',
        layers: [1],
        scores: [30, 8, 10.6, 12, 9],
        perplexity: 8,
      },
    ],
  };
}

function rowsOf(html: string): string[][] {
  const doc = parse(html);
  expectAccessible(doc);
  const tableEl = all(doc, (e) => e.name === 'table' && e.attrs.class === 'methods')[0] as El;
  return all(tableEl, named('tr')).map((tr) =>
    all(tr, (e) => e.name === 'td' || e.name === 'th').map(textOf),
  );
}

describe('methodsSection', () => {
  it('puts every method for the same n side by side: layers removed, perplexity, change', () => {
    const report = withBaselines();
    expect(rowsOf(renderReportHtml(report))).toEqual([
      ['method', 'layers removed', 'perplexity', 'vs original'],
      ['LLM-Streamline (ffn replacement)', '3–4', '12.38', '+161.7%'],
      ['LLM-Streamline window, plain removal', '2', '10.6498', '+125.1%'],
      ['ShortGPT (lowest Block Influence)', '4', '9.4605', '+100.0%'],
      ['perplexity-metric window', '1', '8', '+69.1%'],
    ]);
    expect(methodsSection(report)).toContain('Methods for the same n (1 layers)');
  });

  it('shows the choices without perplexities when evaluation was skipped', () => {
    const report = { ...withBaselines(), perplexity: undefined };
    for (const b of report.baselines ?? []) delete b.perplexity;
    const rows = rowsOf(renderReportHtml(report));
    expect(rows.slice(1).map((r) => [r[1], r[2], r[3]])).toEqual([
      ['3–4', '—', ''],
      ['2', '—', ''],
      ['4', '—', ''],
      ['1', '—', ''],
    ]);
    expect(methodsSection(report)).toContain('Evaluation was skipped');
  });

  it('is left out for a run without baselines', () => {
    expect(methodsSection(realRun as StreamlineReport)).toBe('');
    expect(renderReportHtml(realRun as StreamlineReport)).not.toContain('id="methods"');
  });
});

describe('layerList', () => {
  it('writes consecutive layers as runs', () => {
    expect(layerList([7, 1, 2, 3])).toBe('1–3, 7');
    expect(layerList([0, 2, 4])).toBe('0, 2, 4');
    expect(layerList([5])).toBe('5');
    expect(layerList([])).toBe('');
  });
});
