/**
 * The "Device memory" section of report.html and its chart, on a real run's streamline.json with a
 * hand-made `memory` record whose numbers are chosen so that every figure the page shows can be
 * written out here by hand (64 MiB budget, 1.5 GiB uploaded in 12 s of which compute waited 3).
 */
import type { StreamlineReport } from '@llm-streamline/streamline';
import { describe, expect, it } from 'vitest';
import { formatBytes } from '../src/chart-kit.js';
import { memoryPeaksSvg, renderReportHtml, uploadFigures } from '../src/index.js';
import realRun from './fixtures/stories260k-ffn.streamline.json' with { type: 'json' };
import {
  all,
  type El,
  expectAccessible,
  named,
  num,
  parse,
  svgRoot,
  textOf,
} from './markup-reader.js';

type MemoryRecord = NonNullable<StreamlineReport['memory']>;

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** A streamed run: 100 MiB of weights under 64 MiB, three stages, one of them not measured. */
function streamedMemory(): MemoryRecord {
  return {
    budgetBytes: 64 * MiB,
    mode: 'streamed',
    weightsBytes: 100 * MiB,
    residentBytes: 8 * MiB,
    streamedBytes: 92 * MiB,
    largestLayerBytes: 11.5 * MiB,
    prefetch: true,
    minimumBytes: 30 * MiB,
    stages: {
      calibration: { plannedPeakBytes: 20 * MiB, measuredPeakBytes: 15 * MiB },
      scoring: {
        plannedPeakBytes: 48 * MiB,
        measuredPeakBytes: 40 * MiB,
        measuredLiveBytes: 36 * MiB,
        batchesPerGroup: 4,
      },
      training: { plannedPeakBytes: 60 * MiB },
    },
    stream: { bytesUploaded: 1.5 * GiB, fetches: 30, fetchSeconds: 12, waitSeconds: 3 },
  };
}

const withMemory = (memory: MemoryRecord | undefined): StreamlineReport => ({
  ...(realRun as StreamlineReport),
  memory,
});

/** The cells of each body row of the table with class `className`, as text. */
function tableText(doc: El, className: string): string[][] {
  const found = all(doc, (e) => e.name === 'table' && e.attrs.class === className);
  expect(found, `table.${className}`).toHaveLength(1);
  const body = all(found[0] as El, named('tbody'))[0] as El;
  return all(body, named('tr')).map((tr) =>
    tr.children.filter((c): c is El => typeof c !== 'string').map(textOf),
  );
}

const sectionIds = (doc: El) => all(doc, named('section')).map((s) => s.attrs.id);

describe('formatBytes', () => {
  it('names sizes as llm formatByteSize does: the largest binary unit, three digits', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(1024)).toBe('1.00 KiB');
    expect(formatBytes(64 * MiB)).toBe('64.0 MiB');
    expect(formatBytes(11.5 * MiB)).toBe('11.5 MiB');
    expect(formatBytes(1.5 * GiB)).toBe('1.50 GiB');
    expect(formatBytes(1023.9 * MiB)).toBe('1023.9 MiB');
    expect(formatBytes(null)).toBe('NaN');
  });
});

describe('the Device memory section', () => {
  it('is absent, and the page unchanged, for a run without a budget', () => {
    const html = renderReportHtml(withMemory(undefined));
    const doc = parse(html);
    expect(sectionIds(doc)).not.toContain('memory');
    expect(all(doc, named('svg')).map((s) => s.attrs.class)).not.toContain('sl-memory');
    expect(textOf(doc)).not.toContain('Device memory');
    expect(html).toBe(renderReportHtml(realRun as StreamlineReport));
  });

  it('shows the plan, each stage against the budget and the upload figures of a streamed run', () => {
    const doc = parse(renderReportHtml(withMemory(streamedMemory())));
    expectAccessible(doc);
    const ids = sectionIds(doc);
    expect(ids.indexOf('memory')).toBe(ids.indexOf('perplexity') + 1);
    expect(ids.indexOf('timings')).toBe(ids.indexOf('memory') + 1);
    const section = all(doc, (e) => e.name === 'section' && e.attrs.id === 'memory')[0] as El;
    expect(textOf(all(section, named('h2'))[0] as El)).toBe('Device memory');
    expect(textOf(section)).toContain('did not fit the device memory budget of 64.0 MiB');

    expect(tableText(doc, 'memory')).toEqual([
      ['budget', '64.0 MiB'],
      ['mode', 'streamed'],
      ['weights', '100.0 MiB'],
      ['resident on the device', '8.00 MiB'],
      ['streamed from the checkpoint', '92.0 MiB'],
      ['largest layer', '11.5 MiB'],
      ['prefetch', "yes: the next layer's upload overlaps the current layer's compute"],
      ['smallest budget that works', '30.0 MiB'],
    ]);
    // measured / budget: 15/64 = 23.4375%, 40/64 = 62.5%.
    expect(tableText(doc, 'memory-stages')).toEqual([
      ['calibration', '20.0 MiB', '15.0 MiB', '', '23.4%', ''],
      ['scoring', '48.0 MiB', '40.0 MiB', '36.0 MiB', '62.5%', '4'],
      ['training', '60.0 MiB', 'not measured', '', '', ''],
    ]);
    // 1536 MiB in 12 s = 128 MiB/s; compute waited 3 of the 12 s, so 1 − 3/12 = 75% was hidden.
    expect(tableText(doc, 'memory-stream')).toEqual([
      ['bytes uploaded', '1.50 GiB'],
      ['fetches (layers and the head)', '30'],
      ['bandwidth', '128.0 MiB/s'],
      ['upload time hidden by the overlap with compute', '75%'],
    ]);
    expect(uploadFigures(streamedMemory())).toEqual({
      bytesUploaded: 1.5 * GiB,
      fetches: 30,
      bytesPerSecond: 128 * MiB,
      hiddenShare: 0.75,
    });
  });

  it('a resident run: no upload figures, and a budget far above the peaks is named off the scale', () => {
    const memory: MemoryRecord = {
      ...streamedMemory(),
      budgetBytes: 12 * GiB,
      mode: 'resident',
      residentBytes: 100 * MiB,
      streamedBytes: 0,
      prefetch: false,
      stages: { evaluation: { plannedPeakBytes: 130 * MiB, measuredPeakBytes: 120 * MiB } },
      stream: undefined,
    };
    const doc = parse(renderReportHtml(withMemory(memory)));
    const section = all(doc, (e) => e.name === 'section' && e.attrs.id === 'memory')[0] as El;
    expect(textOf(section)).toContain('the whole model stayed on the device');
    expect(all(doc, (e) => e.attrs.class === 'memory-stream')).toHaveLength(0);
    expect(tableText(doc, 'memory')[1]).toEqual(['mode', 'resident']);
    const svg = all(section, named('svg'))[0] as El;
    expect(all(svg, (e) => e.name === 'line' && e.attrs['data-series'] === 'budget')).toHaveLength(
      0,
    );
    const budget = all(svg, (e) => e.name === 'text' && e.attrs['data-series'] === 'budget');
    expect(budget.map(textOf)).toEqual(['budget 12.0 GiB (far above, off the scale)']);
  });
});

describe('memoryPeaksSvg', () => {
  it('bars from zero in proportion to the bytes, the budget line on the same scale', () => {
    const memory = streamedMemory();
    const svg = svgRoot(memoryPeaksSvg(memory));
    expectAccessible(svg);
    const rects = all(svg, (e) => e.name === 'rect' && e.attrs['data-series'] !== undefined);
    expect(rects.map((r) => `${r.attrs['data-stage']} ${r.attrs['data-series']}`)).toEqual([
      'calibration planned',
      'calibration measured',
      'scoring planned',
      'scoring measured',
      'training planned',
    ]);
    expect(rects.map((r) => Number(r.attrs['data-value']))).toEqual(
      [20, 15, 48, 40, 60].map((m) => m * MiB),
    );
    const baseline = num(rects[0] as El, 'y') + num(rects[0] as El, 'height');
    const pxPerByte = num(rects[0] as El, 'height') / (20 * MiB);
    for (const r of rects) {
      expect(num(r, 'y') + num(r, 'height')).toBeCloseTo(baseline, 1);
      expect(num(r, 'height')).toBeCloseTo(pxPerByte * Number(r.attrs['data-value']), 1);
    }
    const [line] = all(svg, (e) => e.name === 'line' && e.attrs['data-series'] === 'budget');
    expect(Number(line?.attrs['data-value'])).toBe(64 * MiB);
    expect(num(line as El, 'y1')).toBe(num(line as El, 'y2'));
    expect(baseline - num(line as El, 'y1')).toBeCloseTo(pxPerByte * 64 * MiB, 1);
    expect(textOf(svg)).toContain('budget 64.0 MiB');
  });

  it('values read back from JSON as null draw no bar; no stages give a labelled empty chart', () => {
    const memory = streamedMemory();
    (memory.stages?.scoring as { measuredPeakBytes: number }).measuredPeakBytes = Number.NaN;
    const fromJson = JSON.parse(JSON.stringify(memory)) as MemoryRecord;
    const rects = all(
      svgRoot(memoryPeaksSvg(fromJson)),
      (e) => e.name === 'rect' && e.attrs['data-series'] !== undefined,
    );
    expect(rects.map((r) => `${r.attrs['data-stage']} ${r.attrs['data-series']}`)).toEqual([
      'calibration planned',
      'calibration measured',
      'scoring planned',
      'training planned',
    ]);
    const missing = all(
      svgRoot(memoryPeaksSvg(fromJson)),
      (e) => e.attrs['data-missing'] !== undefined,
    );
    expect(missing.map((e) => e.attrs['data-missing'])).toEqual([
      'scoring measured',
      'training measured',
    ]);
    const doc = parse(renderReportHtml(withMemory(fromJson)));
    expect(tableText(doc, 'memory-stages')[1]).toEqual([
      'scoring',
      '48.0 MiB',
      'not measured',
      '36.0 MiB',
      '',
      '4',
    ]);

    const empty = svgRoot(memoryPeaksSvg({ ...memory, stages: undefined }));
    expectAccessible(empty);
    expect(textOf(empty)).toContain('No stage recorded');
  });
});

describe.skipIf(typeof document === 'undefined')('in a browser', () => {
  it('the chart is a well-formed standalone SVG whose bars are laid out', () => {
    const markup = memoryPeaksSvg(streamedMemory());
    const parsed = new DOMParser().parseFromString(markup, 'image/svg+xml');
    expect(parsed.querySelector('parsererror')).toBeNull();
    expect(parsed.documentElement.namespaceURI).toBe('http://www.w3.org/2000/svg');
    const holder = document.createElement('div');
    holder.innerHTML = markup;
    document.body.append(holder);
    try {
      const bar = holder.querySelector(
        'rect[data-stage="scoring"][data-series="measured"]',
      ) as SVGRectElement;
      expect(bar.getBBox().height).toBeGreaterThan(10);
      const budget = holder.querySelector('line[data-series="budget"]') as SVGLineElement;
      expect(budget.getBBox().width).toBeGreaterThan(100);
    } finally {
      holder.remove();
    }
  });
});
