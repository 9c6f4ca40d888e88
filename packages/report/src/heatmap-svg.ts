/**
 * The window scores as a heat map: one cell per window, columns by first layer j, rows by window
 * size m. Window (j, m) covers layers j…j+m−1, so row m has L − m + 1 cells and the map is a
 * triangle. Sizes the run did not score are hatched, not left out, so the shape tells what is
 * missing.
 */
import type { StreamlineReport } from '@llm-streamline/streamline';
import {
  emptyChart,
  escapeXml,
  formatNumber,
  INK,
  isFiniteNumber,
  layerRange,
  linearScale,
  niceTicks,
  nonFiniteLabel,
  type SvgOptions,
  scoreLayout,
  sequentialColour,
  sequentialStops,
  svgFrame,
  tag,
  text,
  textColourOn,
} from './chart-kit.js';

/** What the heat map reads from a report. */
export type HeatmapInput = Pick<
  StreamlineReport,
  'scores' | 'metric' | 'window' | 'removalWindow' | 'model'
>;

const MARGIN = { left: 52, right: 12, top: 10 };
/** Cells this wide and tall or more print their value. */
const LABEL_MIN = { width: 38, height: 16 };

/**
 * Window start × window size heat map of `report.scores`, the chosen windows outlined: the
 * replaced window (size m) solid, the plain-removal window (size n) dashed. Their rows come first,
 * labelled in bold above a rule; every other size follows in order. Colour follows
 * redundancy, whatever the metric's direction: bright yellow is the most redundant window scored,
 * dark violet the least, on one scale over all sizes (the legend gives the values). Every cell's
 * `<title>` gives its layers, size and score ("layers 4–6 (m=3): 0.9731", six significant digits);
 * cells also carry `data-m`, `data-j` and `data-value` (the exact score) for scripts. Returns SVG
 * markup.
 */
export function similarityHeatmapSvg(report: HeatmapInput, options: SvgOptions = {}): string {
  const width = options.width ?? 640;
  const id = options.idPrefix ?? 'sl-heatmap';
  const scores = report.scores ?? {};
  const { sizes, layers } = scoreLayout(report);
  // Rows m = 1 … L − 1 (every proper window), plus any larger size that was scored.
  const rows = Math.max(layers - 1, ...sizes);
  const { higherIsRedundant } = report.metric;
  const title = `Window scores (${report.metric.name}) by first layer and window size`;
  if (layers < 1 || rows < 1)
    return emptyChart(
      { width, height: 40, idPrefix: id, xmlns: options.xmlns, title, className: 'sl-heatmap' },
      'The model has no window of layers to score.',
    );

  const finite = sizes.flatMap((m) => (scores[m] as number[]).filter(isFiniteNumber));
  const lo = finite.reduce((a, b) => Math.min(a, b), finite[0] ?? 0);
  const hi = finite.reduce((a, b) => Math.max(a, b), finite[0] ?? 1);
  // t = 1 is the most redundant end of the scale.
  const redundancy = linearScale(lo, hi, higherIsRedundant ? 0 : 1, higherIsRedundant ? 1 : 0);

  const plotWidth = width - MARGIN.left - MARGIN.right;
  const cellW = plotWidth / layers;
  const cellH = Math.min(28, Math.max(6, cellW));
  const plotHeight = rows * cellH;
  const x0 = MARGIN.left;
  const y0 = MARGIN.top;
  const showValues = cellW >= LABEL_MIN.width && cellH >= LABEL_MIN.height;

  // The chosen sizes' rows come first (the replaced window's m, then plain removal's n): on a deep
  // model they would otherwise be two thin rows somewhere in the middle. Every other size follows
  // in order, below a rule.
  const { window, removalWindow } = report;
  const chosen = [...new Set([window.size, removalWindow.size])].filter((m) => m >= 1 && m <= rows);
  const order = [...chosen, ...Array.from({ length: rows }, (_, k) => k + 1)].filter(
    (m, k, all) => all.indexOf(m) === k,
  );
  const rowOf = new Map(order.map((m, row) => [m, row]));
  const rowY = (m: number) => y0 + (rowOf.get(m) as number) * cellH;

  let cells = '';
  let missing = 0;
  for (let m = 1; m <= rows; m++) {
    for (let j = 0; j + m <= layers; j++) {
      const v = scores[m]?.[j];
      const where = `${layerRange(j, m)} (m=${m})`;
      const box = { x: x0 + j * cellW, y: rowY(m), width: cellW, height: cellH };
      if (!isFiniteNumber(v)) {
        missing++;
        const why = v === undefined ? 'not scored' : `${nonFiniteLabel(v)} (not finite)`;
        cells += tag(
          'rect',
          {
            ...box,
            fill: `url(#${id}-hatch)`,
            stroke: '#ffffff',
            'data-m': m,
            'data-j': j,
            'data-missing': v === undefined ? 'not scored' : 'not finite',
          },
          tag('title', {}, escapeXml(`${where}: ${why}`)),
        );
        continue;
      }
      const fill = sequentialColour(redundancy(v));
      cells += tag(
        'rect',
        { ...box, fill, stroke: '#ffffff', 'data-m': m, 'data-j': j, 'data-value': String(v) },
        tag('title', {}, escapeXml(`${where}: ${formatNumber(v, 6)}`)),
      );
      if (showValues)
        cells += text(box.x + cellW / 2, box.y + cellH / 2 + 4, formatNumber(v, 3), {
          'text-anchor': 'middle',
          'font-size': 10,
          fill: textColourOn(fill),
          'aria-hidden': 'true',
          'pointer-events': 'none',
        });
    }
  }

  const outline = (w: { start: number; size: number }, dashed: boolean, which: string) => {
    const box = {
      x: x0 + w.start * cellW,
      y: rowY(w.size),
      width: cellW,
      height: cellH,
      fill: 'none',
    };
    // A white halo under a black line keeps the outline visible on dark and bright cells alike.
    return tag(
      'g',
      { class: 'window', 'data-window': which, 'data-m': w.size, 'data-j': w.start },
      tag('rect', { ...box, stroke: '#ffffff', 'stroke-width': 5 }) +
        tag('rect', {
          ...box,
          stroke: '#000000',
          'stroke-width': 2.5,
          'stroke-dasharray': dashed ? '5 3' : undefined,
        }),
    );
  };
  const sameWindow = window.start === removalWindow.start && window.size === removalWindow.size;
  const outlines = sameWindow
    ? outline(window, false, 'replaced removal')
    : outline(removalWindow, true, 'removal') + outline(window, false, 'replaced');

  // Axes: a tick per layer and per size while they fit, else every 2nd, 5th, 10th, …
  const every = (cell: number) => [1, 2, 5, 10, 20, 50, 100].find((k) => k * cell >= 16) ?? 200;
  let axes = '';
  for (let j = 0; j < layers; j += every(cellW))
    axes += text(x0 + (j + 0.5) * cellW, y0 + plotHeight + 14, String(j), {
      'text-anchor': 'middle',
      fill: INK.muted,
    });
  // Row labels: every chosen size, then sizes at a step that leaves room, never two too close.
  const mStep = every(cellH);
  let lastLabel = Number.NEGATIVE_INFINITY;
  order.forEach((m, row) => {
    const y = y0 + (row + 0.5) * cellH + 4;
    const wanted = row < chosen.length || m === 1 || m % mStep === 0;
    if (!wanted || y - lastLabel < 14) return;
    lastLabel = y;
    axes += text(x0 - 6, y, String(m), {
      'text-anchor': 'end',
      fill: row < chosen.length ? INK.text : INK.muted,
      'font-weight': row < chosen.length ? 600 : undefined,
    });
  });
  if (chosen.length < rows)
    axes += tag('line', {
      x1: x0,
      x2: x0 + plotWidth,
      y1: y0 + chosen.length * cellH,
      y2: y0 + chosen.length * cellH,
      stroke: INK.text,
      'stroke-width': 1.5,
    });
  axes += text(x0 + plotWidth / 2, y0 + plotHeight + 32, 'first layer of the window (j)', {
    'text-anchor': 'middle',
  });
  const yMid = y0 + plotHeight / 2;
  axes += text(14, yMid, 'window size m (layers)', {
    'text-anchor': 'middle',
    transform: `rotate(-90 14 ${yMid})`,
  });

  const legendTop = y0 + plotHeight + 48;
  const legend = colourLegend(id, x0, legendTop, Math.min(260, plotWidth), finite.length > 0, {
    lo,
    hi,
    higherIsRedundant,
  });
  // The swatches go beside the colour bar when there is room, else under it.
  const beside = x0 + Math.min(260, plotWidth) + 28 + 190 <= width;
  const keys = windowKeys(
    id,
    beside ? x0 + Math.min(260, plotWidth) + 28 : x0,
    beside ? legendTop : legendTop + 52,
    sameWindow ? undefined : { replaced: window.size, removal: removalWindow.size },
  );
  const height = legendTop + (beside ? 66 : 118);

  const describe = (label: string, w: { start: number; size: number; score: number }) =>
    `${label}: ${layerRange(w.start, w.size)} (m=${w.size}), score ${formatNumber(w.score, 6)}.`;
  const description = [
    `Heat map of ${finite.length} window scores of the ${report.metric.name} metric for a ${layers}-layer model:`,
    `columns are the first layer j of a window, rows its size m; ${higherIsRedundant ? 'higher' : 'lower'} scores mean more redundant layers, drawn brighter.`,
    finite.length
      ? `Scores range from ${formatNumber(lo, 6)} to ${formatNumber(hi, 6)}.`
      : 'No window has a finite score.',
    sameWindow
      ? describe('Removed window (outlined)', window)
      : `${describe('Replaced window (solid outline)', window)} ${describe('Plain-removal window (dashed outline)', removalWindow)}`,
    missing ? `${missing} windows were not scored or have no finite score (hatched).` : '',
  ]
    .filter(Boolean)
    .join(' ');

  const defs = tag(
    'defs',
    {},
    tag(
      'pattern',
      {
        id: `${id}-hatch`,
        width: 6,
        height: 6,
        patternUnits: 'userSpaceOnUse',
        patternTransform: 'rotate(45)',
      },
      tag('rect', { width: 6, height: 6, fill: '#f2f2f2' }) +
        tag('line', { x1: 0, y1: 0, x2: 0, y2: 6, stroke: '#b3b3b3', 'stroke-width': 2 }),
    ) +
      tag(
        'linearGradient',
        { id: `${id}-scale`, x1: 0, x2: 1, y1: 0, y2: 0 },
        sequentialStops()
          .map((s) => tag('stop', { offset: s.offset, 'stop-color': s.colour }))
          .join(''),
      ),
  );
  return svgFrame(
    {
      width,
      height,
      idPrefix: id,
      xmlns: options.xmlns,
      title,
      description,
      className: 'sl-heatmap',
    },
    defs +
      tag('g', { class: 'cells' }, cells) +
      tag('g', { class: 'windows' }, outlines) +
      tag('g', { class: 'axes' }, axes) +
      tag('g', { class: 'legend' }, legend + keys),
  );
}

/**
 * The colour bar: the gradient from least to most redundant, labelled with the score range (so the
 * values run right to left when lower means redundant).
 */
function colourLegend(
  id: string,
  x: number,
  y: number,
  barWidth: number,
  hasScores: boolean,
  scale: { lo: number; hi: number; higherIsRedundant: boolean },
): string {
  const barHeight = 12;
  let out = text(x, y, 'less redundant', { fill: INK.muted, 'font-size': 11 });
  out += text(x + barWidth, y, 'more redundant', {
    fill: INK.muted,
    'font-size': 11,
    'text-anchor': 'end',
  });
  out += tag('rect', {
    x,
    y: y + 6,
    width: barWidth,
    height: barHeight,
    fill: `url(#${id}-scale)`,
    stroke: INK.axis,
    'stroke-width': 0.5,
  });
  if (!hasScores) return out;
  const { lo, hi, higherIsRedundant } = scale;
  const at = linearScale(higherIsRedundant ? lo : hi, higherIsRedundant ? hi : lo, x, x + barWidth);
  const labelY = y + barHeight + 20;
  const ends = lo === hi ? [lo] : [lo, hi];
  // The spans of x the labels drawn so far take, so that no two overlap.
  const taken: [number, number][] = [];
  for (const v of ends) {
    const label = formatNumber(v, 4);
    const width = labelWidth(label);
    const anchor = lo === hi ? 'middle' : at(v) <= x ? 'start' : 'end';
    const left = anchor === 'start' ? at(v) : anchor === 'end' ? at(v) - width : at(v) - width / 2;
    taken.push([left, left + width]);
    out +=
      tag('line', { x1: at(v), x2: at(v), y1: y + 6, y2: y + barHeight + 9, stroke: INK.text }) +
      text(at(v), labelY, label, { 'text-anchor': anchor });
  }
  // Inner ticks where their labels leave a gap to every label already drawn.
  const ticks = niceTicks(lo, hi, 4);
  for (const v of ticks.values) {
    if (v <= lo || v >= hi) continue;
    const tx = at(v);
    const label = ticks.label(v);
    const span: [number, number] = [tx - labelWidth(label) / 2, tx + labelWidth(label) / 2];
    if (taken.some(([a, b]) => span[0] < b + LABEL_GAP && a < span[1] + LABEL_GAP)) continue;
    taken.push(span);
    out +=
      tag('line', { x1: tx, x2: tx, y1: y + 6, y2: y + barHeight + 9, stroke: INK.muted }) +
      text(tx, labelY, label, { 'text-anchor': 'middle', fill: INK.muted });
  }
  return out;
}

/** Pixels kept between two labels of the colour bar. */
const LABEL_GAP = 8;

/**
 * A generous width of a label at the charts' 12 px font: 0.62 em per character, a little more than
 * the widest digit of common sans-serif fonts, so an estimate errs towards leaving a tick out.
 */
export function labelWidth(label: string): number {
  return [...label].length * 12 * 0.62;
}

/** Swatches for the outlines (with the two windows' sizes when they differ) and the hatching. */
function windowKeys(
  id: string,
  x: number,
  y: number,
  sizes: { replaced: number; removal: number } | undefined,
): string {
  const swatch = (row: number, attributes: Record<string, string | number>, label: string) =>
    tag('rect', { x, y: y - 9 + row * 18, width: 14, height: 12, ...attributes }) +
    text(x + 20, y + 1 + row * 18, label, { 'font-size': 11 });
  const outline = { fill: '#ffffff', stroke: '#000000', 'stroke-width': 2 };
  return sizes === undefined
    ? swatch(0, outline, 'removed window') +
        swatch(1, { fill: `url(#${id}-hatch)` }, 'not scored / not finite')
    : swatch(0, outline, `replaced window (m = ${sizes.replaced})`) +
        swatch(
          1,
          { ...outline, 'stroke-dasharray': '4 2' },
          `plain-removal window (m = ${sizes.removal})`,
        ) +
        swatch(2, { fill: `url(#${id}-hatch)` }, 'not scored / not finite');
}
