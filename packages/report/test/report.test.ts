/**
 * The run report (report.html and its three SVG charts) on synthetic reports with known numbers.
 * The markup is read back with a strict little XML reader (markup-reader.ts: the charts and the page
 * are well-formed XML apart from the doctype), so the checks are the same in Node and Chromium;
 * in Chromium the page is also rendered in an iframe and the SVGs parsed by the browser.
 */
import type { StreamlineReport } from '@llm-streamline/streamline';
import { describe, expect, it } from 'vitest';
import { niceTicks } from '../src/chart-kit.js';
import {
  lossCurvesSvg,
  perplexityBarsSvg,
  renderReportHtml,
  similarityHeatmapSvg,
} from '../src/index.js';
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
  titleOf,
} from './markup-reader.js';

/** WCAG relative luminance of #rrggbb, written out here as the reference for colour order. */
function luminance(hex: string): number {
  expect(hex).toMatch(/^#[0-9a-f]{6}$/);
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

// ---------------------------------------------------------------------------------------------
// Synthetic runs.

const L = 6;
/** Score of window (j, m): distinct, four decimals (so the six-digit tooltips print it exactly). */
const score = (m: number, j: number) =>
  Number((1 - 0.04 * m - 0.011 * ((j * 7 + m * 3) % 5)).toFixed(4));

function argBest(values: number[], higher: boolean): number {
  let best = 0;
  values.forEach((v, j) => {
    if (higher ? v > (values[best] as number) : v < (values[best] as number)) best = j;
  });
  return best;
}

/** A finished ffn run on a 6-layer model, n = 2; sizes 1, 2, 3, 5 scored (4 missing). */
function syntheticReport(overrides: Partial<StreamlineReport> = {}): StreamlineReport {
  const scores: Record<string, number[]> = {};
  for (const m of [1, 2, 3, 5])
    scores[m] = Array.from({ length: L - m + 1 }, (_, j) => score(m, j));
  const pick = (m: number) => {
    const start = argBest(scores[m] as number[], true);
    return { start, size: m, score: (scores[m] as number[])[start] as number };
  };
  return {
    version: 3,
    provenance: { tool: 'test', version: '1', createdAt: '2026-12-06T00:00:00.000Z' },
    model: { source: 'models/tiny-6L', format: 'huggingface', layers: L, parameters: 1_234_567 },
    calibration: {
      source: 'calibration.txt',
      blockLength: 64,
      scoringBlocks: 8,
      trainingBlocks: 20,
      validationBlocks: 4,
    },
    metric: { name: 'cosine', description: 'mean cosine', higherIsRedundant: true },
    scores,
    layersRemoved: 2,
    removedLayers: [pick(3).start, pick(3).start + 1, pick(3).start + 2],
    replacementLayer: pick(3).start,
    window: pick(3),
    removalWindow: pick(2),
    replacement: {
      kind: 'ffn',
      description: 'a SwiGLU FFN',
      parameters: 50_000,
      options: {},
      export: { as: 'llama-layer' },
    },
    hyperparameters: { batch: 4, epochs: 3, lr: 0.001, 'exclude-last-layer': false },
    seed: 7,
    // 20 training blocks in batches of 4: 5 steps per epoch, 3 epochs.
    training: {
      stepLoss: Array.from({ length: 15 }, (_, i) => 0.5 / (1 + i) + 0.01 * (i % 3)),
      epochLoss: [0.2, 0.1, 0.08],
      validationLoss: [0.6, 0.25, 0.12, 0.13],
      bestEpoch: 2,
    },
    perplexity: { source: 'heldout.txt', blocks: 12, original: 6.25, none: 10, replaced: 8.75 },
    secondsPerStage: {
      calibration: 0.5,
      scoring: 2,
      pairs: 1,
      training: 3,
      evaluation: 4,
      export: 0.1,
    },
    result: { layers: 4, parameters: 1_000_000 },
    ...overrides,
  };
}

/** The cells of a heat map, by "m,j". */
function heatmapCells(svg: El): Map<string, El> {
  const cells = all(svg, (e) => e.name === 'rect' && e.attrs['data-m'] !== undefined);
  const byKey = new Map(cells.map((c) => [`${c.attrs['data-m']},${c.attrs['data-j']}`, c]));
  expect(byKey.size).toBe(cells.length); // one cell per window
  return byKey;
}

// ---------------------------------------------------------------------------------------------

describe('chart helpers', () => {
  it('niceTicks covers the range with steps of 1, 2 or 5 × 10^k', () => {
    for (const [lo, hi] of [
      [0.8213, 0.9731],
      [0, 10.27],
      [0.15, 0.5],
      [3, 3],
      [-2.5, 7],
    ] as const) {
      const { values, step } = niceTicks(lo, hi, 5);
      expect(values[0]).toBeLessThanOrEqual(lo);
      expect(values.at(-1)).toBeGreaterThanOrEqual(hi);
      const mantissa = step / 10 ** Math.floor(Math.log10(step));
      expect([1, 2, 5].some((k) => Math.abs(mantissa - k) < 1e-9)).toBe(true);
      for (let i = 1; i < values.length; i++)
        expect((values[i] as number) - (values[i - 1] as number)).toBeCloseTo(step, 9);
      expect(values.length).toBeLessThanOrEqual(12);
    }
  });
});

describe('similarityHeatmapSvg', () => {
  it('one cell per window, hatched where not scored; colour follows value; tooltips exact', () => {
    const report = syntheticReport();
    const svg = svgRoot(similarityHeatmapSvg(report));
    expectAccessible(svg);
    const cells = heatmapCells(svg);
    // Rows m = 1…L−1, row m has L − m + 1 windows: 6 + 5 + 4 + 3 + 2 = 20 cells.
    expect(cells.size).toBe(20);
    const coloured: [number, number][] = [];
    for (let m = 1; m < L; m++)
      for (let j = 0; j + m <= L; j++) {
        const cell = cells.get(`${m},${j}`) as El;
        expect(cell, `cell m=${m} j=${j}`).toBeDefined();
        const layers = m === 1 ? `layer ${j}` : `layers ${j}–${j + m - 1}`;
        if (m === 4) {
          expect(cell.attrs['data-missing']).toBe('not scored');
          expect(cell.attrs.fill).toMatch(/^url\(#/);
          expect(titleOf(cell)).toBe(`${layers} (m=4): not scored`);
          continue;
        }
        const v = score(m, j);
        expect(Number(cell.attrs['data-value'])).toBe(v);
        expect(titleOf(cell)).toBe(`${layers} (m=${m}): ${v}`);
        coloured.push([v, luminance(cell.attrs.fill as string)]);
      }
    // Higher cosine = more redundant = brighter: luminance rises with the value.
    coloured.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < coloured.length; i++) {
      const [[v0, l0], [v1, l1]] = [coloured[i - 1], coloured[i]] as [number, number][];
      expect(l1, `${v0} < ${v1}`).toBeGreaterThanOrEqual(l0 as number);
      if ((v1 as number) - (v0 as number) > 0.02) expect(l1).toBeGreaterThan(l0 as number);
    }
    // The extremes are far apart in luminance (a readable scale).
    expect((coloured.at(-1)?.[1] as number) / (coloured[0]?.[1] as number)).toBeGreaterThan(10);
  });

  it('puts the chosen sizes first (m, then n), then every other size in order', () => {
    const report = syntheticReport(); // m = 3, n = 2, L = 6
    const cells = heatmapCells(svgRoot(similarityHeatmapSvg(report)));
    const rowY = (m: number) => num(cells.get(`${m},0`) as El, 'y');
    const ys = [3, 2, 1, 4, 5].map(rowY);
    for (let k = 1; k < ys.length; k++) expect(ys[k]).toBeGreaterThan(ys[k - 1] as number);
    // Every cell of a row shares its y.
    for (let j = 0; j + 3 <= L; j++) expect(num(cells.get(`3,${j}`) as El, 'y')).toBe(rowY(3));
  });

  it('outlines the chosen windows on their cells', () => {
    const report = syntheticReport();
    const svg = svgRoot(similarityHeatmapSvg(report));
    const cells = heatmapCells(svg);
    const outlines = all(svg, (e) => e.name === 'g' && e.attrs['data-window'] !== undefined);
    expect(outlines.map((g) => g.attrs['data-window']).sort()).toEqual(['removal', 'replaced']);
    for (const [which, w] of [
      ['replaced', report.window],
      ['removal', report.removalWindow],
    ] as const) {
      const g = outlines.find((o) => o.attrs['data-window'] === which) as El;
      expect([num(g, 'data-m'), num(g, 'data-j')]).toEqual([w.size, w.start]);
      const cell = cells.get(`${w.size},${w.start}`) as El;
      for (const rect of all(g, named('rect')))
        for (const a of ['x', 'y', 'width', 'height']) expect(num(rect, a)).toBe(num(cell, a));
    }
    // Solid for the replaced window, dashed for plain removal.
    const dashed = (which: string) =>
      all(
        outlines.find((o) => o.attrs['data-window'] === which) as El,
        (e) => e.attrs['stroke-dasharray'] !== undefined,
      ).length > 0;
    expect(dashed('replaced')).toBe(false);
    expect(dashed('removal')).toBe(true);
  });

  it('lower-is-redundant metrics: colour order reversed; NaN and null cells hatched', () => {
    const report = syntheticReport({
      metric: { name: 'angular', description: 'arccos/π', higherIsRedundant: false },
    });
    const row2 = report.scores['2'] as number[];
    row2[1] = Number.NaN;
    (row2 as (number | null)[])[3] = null; // what JSON.parse gives for a NaN written by JSON.stringify
    const cells = heatmapCells(svgRoot(similarityHeatmapSvg(report)));
    for (const j of [1, 3]) {
      const cell = cells.get(`2,${j}`) as El;
      expect(cell.attrs['data-missing']).toBe('not finite');
      expect(titleOf(cell)).toBe(`layers ${j}–${j + 1} (m=2): NaN (not finite)`);
    }
    const coloured = [...cells.values()]
      .filter((c) => c.attrs['data-value'] !== undefined)
      .map((c) => [Number(c.attrs['data-value']), luminance(c.attrs.fill as string)] as const)
      .sort((a, b) => a[0] - b[0]);
    expect(coloured.length).toBe(20 - 3 - 2); // all cells, less row m = 4 and the two non-finite
    for (let i = 1; i < coloured.length; i++)
      expect(coloured[i]?.[1]).toBeLessThanOrEqual(coloured[i - 1]?.[1] as number);
  });

  it('gives six significant digits in a tooltip, and the exact value in data-value', () => {
    const report = syntheticReport({ scores: { '1': [0.123456789, 0.5, 0.25, 0.125, 1, 0] } });
    const cell = heatmapCells(svgRoot(similarityHeatmapSvg(report))).get('1,0') as El;
    expect(titleOf(cell)).toBe(`layer 0 (m=1): ${(0.123456789).toPrecision(6)}`);
    expect(Number(cell.attrs['data-value'])).toBe(0.123456789);
  });

  it('a plain-removal run outlines one window', () => {
    const base = syntheticReport();
    const report = syntheticReport({ window: base.removalWindow });
    const svg = svgRoot(similarityHeatmapSvg(report));
    const outlines = all(svg, (e) => e.name === 'g' && e.attrs['data-window'] !== undefined);
    expect(outlines).toHaveLength(1);
    expect([num(outlines[0] as El, 'data-m'), num(outlines[0] as El, 'data-j')]).toEqual([
      base.removalWindow.size,
      base.removalWindow.start,
    ]);
  });

  it('is the same markup every time, and does not change the report', () => {
    const report = syntheticReport();
    const copy = structuredClone(report);
    expect(similarityHeatmapSvg(report, { width: 500 })).toBe(
      similarityHeatmapSvg(copy, { width: 500 }),
    );
    expect(report).toEqual(copy);
  });
});

describe('lossCurvesSvg', () => {
  const stepPoints = (svg: El) => {
    const line = all(svg, (e) => e.attrs['data-series'] === 'step')[0] as El;
    return (line.attrs.points as string)
      .split(' ')
      .filter(Boolean)
      .map((p) => p.split(',').map(Number) as [number, number]);
  };

  it('one point per step; y order follows loss order; epochs on the step axis; best marked', () => {
    const training = syntheticReport().training as NonNullable<StreamlineReport['training']>;
    const svg = svgRoot(lossCurvesSvg({ ...training, stepsPerEpoch: 5 }));
    expectAccessible(svg);
    const points = stepPoints(svg);
    expect(points).toHaveLength(15);
    for (let a = 0; a < points.length; a++) {
      if (a > 0) expect(points[a]?.[0]).toBeGreaterThan(points[a - 1]?.[0] as number);
      for (let b = 0; b < points.length; b++) {
        const [la, lb] = [training.stepLoss[a], training.stepLoss[b]] as [number, number];
        // SVG y grows downwards: a lower loss is drawn lower on screen only if its y is larger.
        if (la < lb) expect(points[a]?.[1]).toBeGreaterThan(points[b]?.[1] as number);
      }
    }
    const markers = all(svg, (e) => e.name === 'circle' && e.attrs['data-epoch'] !== undefined);
    expect(markers.map((c) => num(c, 'data-epoch'))).toEqual([0, 1, 2, 3]);
    // Epoch e ends at step 5e: its marker shares that step's x.
    for (const e of [1, 2, 3])
      expect(num(markers[e] as El, 'cx')).toBeCloseTo(points[5 * e - 1]?.[0] as number, 1);
    // Validation y order follows the validation losses too.
    const v = training.validationLoss;
    for (let a = 0; a < 4; a++)
      for (let b = 0; b < 4; b++)
        if ((v[a] as number) < (v[b] as number))
          expect(num(markers[a] as El, 'cy')).toBeGreaterThan(num(markers[b] as El, 'cy'));
    expect(titleOf(markers[2] as El)).toBe('epoch 2: validation loss 0.12 (kept)');
    expect(titleOf(markers[0] as El)).toBe('before training: validation loss 0.6');
    const best = all(svg, (e) => e.attrs['data-best-epoch'] !== undefined);
    expect(best).toHaveLength(1);
    expect(num(best[0] as El, 'x1')).toBe(num(markers[2] as El, 'cx'));
    expect(num(markers[2] as El, 'r')).toBeGreaterThan(num(markers[1] as El, 'r'));
  });

  it('draws finite losses only and says how many were not', () => {
    const stepLoss = [0.5, 0.4, Number.NaN, 0.3, Number.POSITIVE_INFINITY, 0.2];
    const markup = lossCurvesSvg({
      stepLoss,
      validationLoss: [0.6, Number.NaN],
      stopped: 'the training loss became NaN at epoch 1, step 3',
    });
    const svg = svgRoot(markup);
    const points = stepPoints(svg);
    expect(points).toHaveLength(4);
    // Steps 1, 2, 4, 6 (1-based): gaps stay gaps on the x axis.
    const dx = points.map((p) => p[0] - (points[0] as [number, number])[0]);
    expect(dx[2]).toBeCloseTo(3 * (dx[1] as number), 1);
    expect(dx[3]).toBeCloseTo(5 * (dx[1] as number), 1);
    const texts = all(svg, named('text')).map(textOf).join('\n');
    expect(texts).toContain('2 non-finite step losses not drawn (first at step 3)');
    expect(texts).toContain('1 non-finite validation loss not drawn');
    expect(texts).toContain('Training stopped early');
    expect(textOf(all(svg, named('desc'))[0] as El)).toContain('became NaN');
    // No NaN or Infinity leaks into coordinates.
    expect(markup).not.toMatch(/="[^"]*(NaN|Infinity)/);
  });

  it('empty and all-NaN records give a labelled chart with a message', () => {
    for (const [training, message] of [
      [{ stepLoss: [], validationLoss: [] }, 'No training losses yet'],
      [{ stepLoss: [Number.NaN], validationLoss: [Number.NaN] }, 'No finite training losses'],
    ] as const) {
      const svg = svgRoot(lossCurvesSvg(training));
      expectAccessible(svg);
      expect(all(svg, named('text')).map(textOf).join(' ')).toContain(message);
      expect(all(svg, named('polyline'))).toHaveLength(0);
    }
  });

  it('a live record (one epoch of three done, mid-epoch) places the epochs by stepsPerEpoch', () => {
    const svg = svgRoot(
      lossCurvesSvg({
        stepLoss: [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3],
        validationLoss: [1, 0.55],
        stepsPerEpoch: 4,
      }),
    );
    const points = stepPoints(svg);
    const markers = all(svg, (e) => e.name === 'circle' && e.attrs['data-epoch'] !== undefined);
    expect(num(markers[1] as El, 'cx')).toBeCloseTo(points[3]?.[0] as number, 1);
  });

  it('smoothing adds a moving average with one point per finite step', () => {
    const training = syntheticReport().training as NonNullable<StreamlineReport['training']>;
    const svg = svgRoot(lossCurvesSvg(training, { smoothing: 0.8 }));
    const smoothed = all(svg, (e) => e.attrs['data-series'] === 'smoothed')[0] as El;
    expect((smoothed.attrs.points as string).split(' ')).toHaveLength(15);
  });
});

describe('perplexityBarsSvg', () => {
  const bars = (svg: El) => all(svg, (e) => e.name === 'rect' && e.attrs['data-bar'] !== undefined);

  it('bar heights are proportional to the perplexities, from one baseline', () => {
    const perplexity = {
      source: 'heldout.txt',
      blocks: 12,
      original: 6.25,
      none: 10,
      replaced: 8.75,
    };
    const svg = svgRoot(perplexityBarsSvg(perplexity, 'ffn'));
    expectAccessible(svg);
    const rects = bars(svg);
    expect(rects.map((r) => r.attrs['data-bar'])).toEqual(['original', 'none', 'replaced']);
    const values = [6.25, 10, 8.75];
    const ratio = num(rects[0] as El, 'height') / 6.25;
    rects.forEach((r, i) => {
      expect(num(r, 'height') / (values[i] as number)).toBeCloseTo(ratio, 2);
      expect(num(r, 'y') + num(r, 'height')).toBeCloseTo(
        num(rects[0] as El, 'y') + num(rects[0] as El, 'height'),
        2,
      );
    });
    expect(titleOf(rects[1] as El)).toBe('plain removal: perplexity 10 (+60.0%)');
    expect(titleOf(rects[2] as El)).toBe('replaced (ffn): perplexity 8.75 (+40.0%)');
    const labels = all(svg, named('text')).map(textOf);
    expect(labels).toEqual(expect.arrayContaining(['original', 'plain removal', 'replaced (ffn)']));
  });

  it('plain removal (kind none) draws two bars; non-finite values get a labelled empty slot', () => {
    expect(
      bars(
        svgRoot(
          perplexityBarsSvg({ source: 's', blocks: 1, original: 5, none: 9, replaced: 9 }, 'none'),
        ),
      ).map((r) => r.attrs['data-bar']),
    ).toEqual(['original', 'none']);
    const svg = svgRoot(
      perplexityBarsSvg(
        {
          source: 's',
          blocks: 1,
          original: 5,
          none: Number.POSITIVE_INFINITY,
          replaced: null as unknown as number,
        },
        'layer',
      ),
    );
    expect(bars(svg).map((r) => r.attrs['data-bar'])).toEqual(['original']);
    const slots = all(svg, (e) => e.name === 'text' && e.attrs['data-bar'] !== undefined);
    expect(slots.map(textOf)).toEqual(['∞ (not finite)', 'NaN (not finite)']);
  });

  it('nothing evaluated: a labelled chart that says so', () => {
    const svg = svgRoot(perplexityBarsSvg({ source: 's', blocks: 0 }, 'ffn'));
    expectAccessible(svg);
    expect(textOf(svg)).toContain('No perplexities');
  });
});

describe('renderReportHtml', () => {
  it('is one self-contained, well-formed page with the three charts and the tables', () => {
    const report = syntheticReport();
    const html = renderReportHtml(report);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\((?!#)/i);
    const doc = parse(html);
    expectAccessible(doc);
    const svgs = all(doc, named('svg'));
    expect(svgs.map((s) => s.attrs.class)).toEqual(['sl-heatmap', 'sl-loss', 'sl-perplexity']);
    // Ids are unique and every url(#…) reference points at one.
    const ids = all(doc, (e) => e.attrs.id !== undefined).map((e) => e.attrs.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [, ref] of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(ref);
    // Tables: summary, scores (a row per scored size), epochs, perplexity, timings, hyperparameters.
    const tables = all(doc, named('table')).map((t) => t.attrs.class);
    expect(tables).toEqual([
      'summary',
      'scores',
      'epochs',
      'perplexity',
      'timings',
      'hyperparameters',
    ]);
    const scoreRows = all(
      all(doc, (e) => e.name === 'table' && e.attrs.class === 'scores')[0] as El,
      named('tr'),
    );
    expect(scoreRows).toHaveLength(1 + 4);
    const chosen = all(doc, (e) => e.name === 'td' && /replaced|removal/.test(e.attrs.class ?? ''));
    expect(chosen.map(textOf)).toEqual([
      `${report.removalWindow.score} (removal)`,
      `${report.window.score} (replaced)`,
    ]);
    const text = textOf(doc);
    expect(text).toContain('Replaced layers');
    expect(text).toContain('1,234,567 → 1,000,000');
    const timings = all(doc, (e) => e.name === 'table' && e.attrs.class === 'timings')[0] as El;
    expect(
      all(timings, named('tr'))
        .at(-1)
        ?.children.map((c) => textOf(c as El)),
    ).toEqual(['total', '10.6', '100%']);
    expect(renderReportHtml(structuredClone(report))).toBe(html);
  });

  it('escapes every text from the report', () => {
    const hostile = `</title><script>alert(1)</script>&amp;"'<svg onload="x">`;
    const report = syntheticReport({
      model: { source: `C:\\models\\${hostile}`, format: hostile, layers: L, parameters: 10 },
      metric: { name: hostile, description: hostile, higherIsRedundant: true },
      replacement: {
        kind: hostile,
        description: hostile,
        parameters: 1,
        options: { [hostile]: hostile },
        export: { as: 'not-exportable', reason: hostile },
      },
      hyperparameters: { [hostile]: hostile, batchSize: 4 },
      perplexity: { source: hostile, blocks: 1, original: 2, none: 3, replaced: 4 },
      calibration: { ...syntheticReport().calibration, source: hostile },
      secondsPerStage: { [hostile]: 1 },
    });
    const html = renderReportHtml(report, { title: hostile });
    const doc = parse(html);
    expect(all(doc, named('script'))).toHaveLength(0);
    expect(all(doc, (e) => Object.keys(e.attrs).some((k) => k.startsWith('on')))).toHaveLength(0);
    expect(all(doc, named('svg'))).toHaveLength(3);
    expect(textOf(all(doc, named('h1'))[0] as El)).toBe(hostile);
    expect(textOf(doc)).toContain(`C:\\models\\${hostile}`);
    // Each chart on its own is well-formed too.
    for (const svg of [
      similarityHeatmapSvg(report),
      perplexityBarsSvg(report.perplexity as NonNullable<StreamlineReport['perplexity']>, hostile),
    ])
      expect(all(svgRoot(svg), named('script'))).toHaveLength(0);
  });

  it('handles a run without training or evaluation, and NaN read back from JSON', () => {
    const linear = syntheticReport({
      replacement: {
        kind: 'linear',
        description: 'least squares',
        parameters: 4,
        options: {},
        export: { as: 'not-exportable', reason: 'no decoder layer' },
      },
      training: undefined,
      perplexity: undefined,
    });
    const doc = parse(renderReportHtml(linear));
    expect(all(doc, named('svg')).map((s) => s.attrs.class)).toEqual(['sl-heatmap']);
    expect(textOf(doc)).toContain('not trained by gradient descent');
    expect(textOf(doc)).toContain('Evaluation was skipped');

    const stopped = syntheticReport();
    const t = stopped.training as NonNullable<StreamlineReport['training']>;
    t.stepLoss = [0.5, 0.4, 0.3, 0.2, 0.1, 0.09, Number.NaN];
    t.epochLoss = [0.3];
    t.validationLoss = [0.6, 0.2];
    t.bestEpoch = 1;
    t.stopped = 'the training loss became NaN at epoch 2, step 7; training stopped.';
    (stopped.perplexity as { replaced: number }).replaced = Number.NaN;
    const fromJson = JSON.parse(JSON.stringify(stopped)) as StreamlineReport;
    const html = renderReportHtml(fromJson);
    const page = parse(html);
    const note = all(page, (e) => e.attrs.class === 'note')[0] as El;
    expect(textOf(note)).toBe(t.stopped);
    const loss = all(page, (e) => e.name === 'svg' && e.attrs.class === 'sl-loss')[0] as El;
    const steps = all(loss, (e) => e.attrs['data-series'] === 'step')[0] as El;
    expect((steps.attrs.points as string).split(' ')).toHaveLength(6);
    // 20 blocks / batch 4 = 5 steps per epoch, taken from the hyperparameters after an early stop.
    const markers = all(loss, (e) => e.name === 'circle' && e.attrs['data-epoch'] !== undefined);
    const fifth = (steps.attrs.points as string).split(' ')[4]?.split(',')[0];
    expect(num(markers[1] as El, 'cx')).toBe(Number(fifth));
  });
});

describe('a run of the CLI (test/fixtures/stories260k-ffn.streamline.json)', () => {
  // streamline.json as `llm-streamline prune` wrote it for stories260K (5 layers, n = 1, ffn, three
  // epochs), with the paths made relative: what the renderers read in practice, numbers and all.
  const report = realRun as StreamlineReport;

  it('draws every scored window, every step and every perplexity of the file', () => {
    const doc = parse(renderReportHtml(report));
    expectAccessible(doc);
    const [heatmap, loss, perplexity] = all(doc, named('svg')) as [El, El, El];
    const cells = heatmapCells(heatmap);
    expect(cells.size).toBe(Object.values(report.scores).flat().length);
    for (const [m, row] of Object.entries(report.scores))
      for (const [j, v] of row.entries())
        expect(Number(cells.get(`${m},${j}`)?.attrs['data-value'])).toBe(v);
    const steps = all(loss, (e) => e.attrs['data-series'] === 'step')[0] as El;
    expect((steps.attrs.points as string).split(' ')).toHaveLength(
      report.training?.stepLoss.length as number,
    );
    const bars = all(perplexity, (e) => e.name === 'rect' && e.attrs['data-value'] !== undefined);
    const { original, none, replaced } = report.perplexity as NonNullable<
      StreamlineReport['perplexity']
    >;
    expect(bars.map((b) => Number(b.attrs['data-value']))).toEqual([original, none, replaced]);
  });
});

describe.skipIf(typeof document === 'undefined')('in a browser', () => {
  it('renders report.html in an iframe: three SVGs with real size, nothing fetched', async () => {
    const html = renderReportHtml(syntheticReport());
    const iframe = document.createElement('iframe');
    iframe.style.width = '1000px';
    iframe.style.height = '800px';
    const loaded = new Promise((resolve) => {
      iframe.onload = resolve;
    });
    iframe.srcdoc = html;
    document.body.append(iframe);
    try {
      await loaded;
      const win = iframe.contentWindow as Window;
      const doc = iframe.contentDocument as Document;
      const svgs = Array.from(doc.querySelectorAll('svg'));
      expect(svgs.map((s) => s.getAttribute('class'))).toEqual([
        'sl-heatmap',
        'sl-loss',
        'sl-perplexity',
      ]);
      for (const svg of svgs) {
        const box = svg.getBoundingClientRect();
        expect(box.width).toBeGreaterThan(100);
        expect(box.height).toBeGreaterThan(50);
        const content = svg.getBBox();
        expect(content.width).toBeGreaterThan(50);
        expect(content.height).toBeGreaterThan(20);
        expect(svg.namespaceURI).toBe('http://www.w3.org/2000/svg');
      }
      // Heat map cells are laid out and carry their tooltips.
      const cell = doc.querySelector('rect[data-m="3"][data-j="0"]') as SVGRectElement;
      expect(cell.getBBox().width).toBeGreaterThan(5);
      expect(cell.querySelector('title')?.textContent).toBe(`layers 0–2 (m=3): ${score(3, 0)}`);
      // The stylesheet applied (no fonts or sheets fetched), and nothing at all was loaded.
      expect(win.getComputedStyle(doc.body).maxWidth).toBe('980px');
      expect(win.performance.getEntriesByType('resource')).toHaveLength(0);
      expect(doc.querySelectorAll('script')).toHaveLength(0);
    } finally {
      iframe.remove();
    }
  });

  it('each chart alone is a well-formed standalone SVG document', () => {
    const report = syntheticReport();
    for (const markup of [
      similarityHeatmapSvg(report),
      lossCurvesSvg(report.training as NonNullable<StreamlineReport['training']>),
      perplexityBarsSvg(report.perplexity as NonNullable<StreamlineReport['perplexity']>, 'ffn'),
    ]) {
      const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
      expect(doc.querySelector('parsererror')).toBeNull();
      expect(doc.documentElement.namespaceURI).toBe('http://www.w3.org/2000/svg');
      expect(doc.documentElement.getAttribute('role')).toBe('img');
    }
  });
});
