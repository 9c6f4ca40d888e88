/**
 * Device memory per stage: for each stage of a run loaded under a memory budget, the peak bytes
 * its plan allowed for and the peak the device measured (`memoryStats().peakBytesHeld`), as bars
 * from zero beside each other, with the budget as a dashed line across them.
 */
import type { StreamlineReport } from '@llm-streamline/streamline';
import {
  BYTE_UNITS,
  emptyChart,
  escapeXml,
  formatBytes,
  INK,
  isFiniteNumber,
  linearScale,
  niceTicks,
  type SvgOptions,
  svgFrame,
  tag,
  text,
} from './chart-kit.js';

/** `streamline.json`'s `memory`: the plan, its stages' peaks and, streamed, the upload figures. */
export type MemoryRecord = NonNullable<StreamlineReport['memory']>;

export interface MemoryPeaksOptions extends SvgOptions {
  /** Height in px (default 280). */
  height?: number;
}

const MARGIN = { left: 72, right: 16, top: 40, bottom: 36 };
const COLOURS = { planned: INK.grey, measured: INK.blue, budget: INK.vermillion } as const;
/**
 * A budget more than this many times the largest peak is left off the scale (and named at the
 * top), so the bars stay readable: a default budget of half the RAM would flatten them to slivers.
 */
const BUDGET_OFF_SCALE_RATIO = 4;

/** One stage's two bars, in the record's order (the order the stages ran). */
export interface StagePeakEntry {
  stage: string;
  planned: number | undefined;
  measured: number | undefined;
  /** Live tensors alone (what the plan estimates), without buffers kept for reuse. */
  measuredLive: number | undefined;
  batchesPerGroup: number | undefined;
}

/** The stages of `memory` with their planned and measured peaks (undefined where not finite). */
export function stagePeakEntries(memory: MemoryRecord): StagePeakEntry[] {
  return Object.entries(memory.stages ?? {}).map(([stage, peak]) => ({
    stage,
    planned: finiteOrUndefined(peak?.plannedPeakBytes),
    measured: finiteOrUndefined(peak?.measuredPeakBytes),
    measuredLive: finiteOrUndefined(peak?.measuredLiveBytes),
    batchesPerGroup: finiteOrUndefined(peak?.batchesPerGroup),
  }));
}

/**
 * Bars of each stage's planned and measured peak bytes, with the budget as a dashed line (or
 * named at the top when it is far above every peak). Each bar is a `<rect data-stage="…"
 * data-series="planned|measured">` with the exact bytes in `data-value` and a `<title>`; the
 * budget line is the `<line data-series="budget">` with the budget in `data-value`. A peak that
 * was not measured (or is not finite) has no bar, only a muted "n/a" in its place. Returns SVG
 * markup.
 */
export function memoryPeaksSvg(memory: MemoryRecord, options: MemoryPeaksOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 280;
  const id = options.idPrefix ?? 'sl-memory';
  const budget = memory.budgetBytes;
  const title = `Peak device memory per stage against the budget of ${formatBytes(budget)}`;
  const frame = {
    width,
    height,
    idPrefix: id,
    xmlns: options.xmlns,
    title,
    className: 'sl-memory',
  };
  const stages = stagePeakEntries(memory);
  const peaks = stages.flatMap((s) => [s.planned, s.measured]).filter(isFiniteNumber);
  if (stages.length === 0 || peaks.length === 0)
    return emptyChart(frame, 'No stage recorded its peak device memory.');

  const plot = {
    left: MARGIN.left,
    right: width - MARGIN.right,
    top: MARGIN.top,
    bottom: height - MARGIN.bottom,
  };
  const largestPeak = Math.max(...peaks);
  const budgetOnScale =
    isFiniteNumber(budget) && budget <= BUDGET_OFF_SCALE_RATIO * Math.max(largestPeak, 1);
  const top = budgetOnScale ? Math.max(largestPeak, budget) : largestPeak;
  // Ticks in the unit of the top of the axis: "0 MiB … 64 MiB" rather than raw byte counts.
  const unitIndex = Math.min(
    BYTE_UNITS.length - 1,
    Math.max(0, Math.floor(Math.log(Math.max(top, 1)) / Math.log(1024))),
  );
  const unit = 1024 ** unitIndex;
  const ticks = niceTicks(0, top / unit, 4);
  const y = linearScale(0, (ticks.values.at(-1) as number) * unit, plot.bottom, plot.top);

  let axes = '';
  for (const v of ticks.values)
    axes +=
      tag('line', {
        x1: plot.left,
        x2: plot.right,
        y1: y(v * unit),
        y2: y(v * unit),
        stroke: INK.grid,
      }) +
      text(plot.left - 6, y(v * unit) + 4, `${ticks.label(v)} ${BYTE_UNITS[unitIndex]}`, {
        'text-anchor': 'end',
        fill: INK.muted,
      });
  axes += tag('line', {
    x1: plot.left,
    x2: plot.right,
    y1: plot.bottom,
    y2: plot.bottom,
    stroke: INK.axis,
  });

  const slot = (plot.right - plot.left) / stages.length;
  const barWidth = Math.min(36, slot * 0.32);
  let marks = '';
  for (const [i, s] of stages.entries()) {
    const centre = plot.left + slot * (i + 0.5);
    marks += text(centre, plot.bottom + 18, s.stage, { 'text-anchor': 'middle' });
    for (const [series, value, x] of [
      ['planned', s.planned, centre - barWidth - 1],
      ['measured', s.measured, centre + 1],
    ] as const) {
      if (value === undefined) {
        marks += text(x + barWidth / 2, plot.bottom - 6, 'n/a', {
          'text-anchor': 'middle',
          fill: INK.muted,
          'font-size': 10,
          'data-missing': `${s.stage} ${series}`,
        });
        continue;
      }
      marks += tag(
        'rect',
        {
          'data-stage': s.stage,
          'data-series': series,
          'data-value': String(value),
          x,
          y: y(value),
          width: barWidth,
          height: plot.bottom - y(value),
          fill: COLOURS[series],
        },
        tag('title', {}, escapeXml(`${s.stage}: ${series} peak ${formatBytes(value)}`)),
      );
    }
  }

  let budgetMark = '';
  const budgetText = `budget ${formatBytes(budget)}`;
  if (budgetOnScale)
    budgetMark =
      tag(
        'line',
        {
          'data-series': 'budget',
          'data-value': String(budget),
          x1: plot.left,
          x2: plot.right,
          y1: y(budget),
          y2: y(budget),
          stroke: COLOURS.budget,
          'stroke-width': 2,
          'stroke-dasharray': '6 4',
        },
        tag('title', {}, escapeXml(budgetText)),
      ) +
      text(plot.right, y(budget) - 5, budgetText, {
        'text-anchor': 'end',
        fill: COLOURS.budget,
      });
  else
    budgetMark = text(plot.right, plot.top - 6, `${budgetText} (far above, off the scale)`, {
      'text-anchor': 'end',
      fill: COLOURS.budget,
      'data-series': 'budget',
      'data-value': String(budget),
    });

  const description = `Peak device memory per stage (planned and measured), budget ${formatBytes(budget)}: ${stages
    .map(
      (s) =>
        `${s.stage} planned ${s.planned === undefined ? 'n/a' : formatBytes(s.planned)}, measured ${s.measured === undefined ? 'not measured' : formatBytes(s.measured)}`,
    )
    .join('; ')}.`;
  return svgFrame(
    { ...frame, description },
    tag('g', {}, axes) + tag('g', {}, marks) + budgetMark + legend(plot.left),
  );
}

/** Planned and measured swatches, and the budget's dash, along the top left. */
function legend(left: number): string {
  const item = (x: number, swatch: string, label: string) => swatch + text(x + 18, 16, label);
  return tag(
    'g',
    { class: 'legend' },
    item(
      left,
      tag('rect', { x: left, y: 6, width: 12, height: 12, fill: COLOURS.planned }),
      'planned peak',
    ) +
      item(
        left + 120,
        tag('rect', { x: left + 120, y: 6, width: 12, height: 12, fill: COLOURS.measured }),
        'measured peak',
      ) +
      item(
        left + 250,
        tag('line', {
          x1: left + 250,
          x2: left + 264,
          y1: 12,
          y2: 12,
          stroke: COLOURS.budget,
          'stroke-width': 2,
          'stroke-dasharray': '4 3',
        }),
        'budget',
      ),
  );
}

function finiteOrUndefined(v: unknown): number | undefined {
  return isFiniteNumber(v) ? v : undefined;
}
