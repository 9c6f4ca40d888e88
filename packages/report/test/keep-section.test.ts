/**
 * report.html's "Model kept" section: both validation losses, the model exported and why, the
 * advice when the replacement lost; and the headline names the exported model.
 */
import type { StreamlineReport } from '@llm-streamline/streamline';
import { describe, expect, it } from 'vitest';
import { formatNumber } from '../src/chart-kit.js';
import { renderReportHtml } from '../src/index.js';
import { keepSection } from '../src/keep-section.js';
import realRun from './fixtures/stories260k-ffn.streamline.json' with { type: 'json' };

const base = realRun as unknown as StreamlineReport;

/** The fixture run as if plain removal (of the removal window) had been kept. */
const removalKept: StreamlineReport = {
  ...base,
  replacement: { ...base.replacement, export: { as: 'removed' } },
  keep: {
    mode: 'best',
    kept: 'removal',
    validationLoss: { removal: 2.6759, replaced: 2.7271, blocks: 4 },
    reason: 'plain removal has the lower validation loss',
    advice: 'train it longer',
  },
};

describe('keep section', () => {
  it('shows both losses, which was kept, why and what to change', () => {
    const html = keepSection(removalKept);
    expect(html).toContain('<section id="keep">');
    expect(html).toContain('Exported plain removal (keep: best): plain removal has the lower');
    expect(html).toContain('Compared on 4 validation blocks.');
    expect(html).toMatch(/plain removal<\/th><td>2\.6759<\/td><td>yes<\/td>/);
    expect(html).toMatch(/replaced \(ffn\)<\/th><td>2\.7271<\/td><td><\/td>/);
    expect(html).toContain('What to change:</strong> train it longer.');
  });

  it('is absent for a report written before the comparison existed', () => {
    expect(keepSection({ ...base, keep: undefined })).toBe('');
  });

  it('the headline gives the exported model: removed layers and their perplexity', () => {
    const html = renderReportHtml(removalKept);
    const lead = html.match(/<p class="lead">([^<]*)<\/p>/)?.[1] ?? '';
    expect(lead).toMatch(/^Removed layer/);
    const none = base.perplexity?.none as number;
    expect(lead).toContain(
      `perplexity ${formatNumber(base.perplexity?.original as number)} → ${formatNumber(none)}.`,
    );
  });
});
