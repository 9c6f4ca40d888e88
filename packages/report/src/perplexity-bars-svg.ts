/**
 * The perplexity comparison: the original model, plain removal of the best n-layer window, and the
 * model with the replacement, as bars from zero (so their heights compare as ratios).
 */
import type { StreamlineReport } from '@llm-streamline/streamline';
import {
  emptyChart,
  escapeXml,
  formatNumber,
  formatPercentChange,
  INK,
  isFiniteNumber,
  linearScale,
  niceTicks,
  nonFiniteLabel,
  type SvgOptions,
  svgFrame,
  tag,
  text,
} from './chart-kit.js';

export interface PerplexityBarsOptions extends SvgOptions {
  /** Height in px (default 260). */
  height?: number;
}

const MARGIN = { left: 60, right: 16, top: 14, bottom: 40 };
const COLOURS = { original: INK.grey, none: INK.vermillion, replaced: INK.blue } as const;

/** One evaluated model of the comparison. */
export interface PerplexityEntry {
  key: 'original' | 'none' | 'replaced';
  /** "original", "plain removal", "replaced (ffn)". */
  label: string;
  /** As recorded: null (from JSON) or non-finite when the evaluation overflowed. */
  value: number;
}

/**
 * The perplexities to show, in order: original, plain removal, replaced. Those not evaluated are
 * left out, and so is `replaced` when the kind is `none` and plain removal is there (the same model).
 */
export function perplexityEntries(
  perplexity: NonNullable<StreamlineReport['perplexity']>,
  replacementKind: string,
): PerplexityEntry[] {
  const entries: (PerplexityEntry | undefined)[] = [
    entry('original', 'original', perplexity.original),
    entry('none', 'plain removal', perplexity.none),
    replacementKind === 'none' && perplexity.none !== undefined
      ? undefined
      : entry('replaced', `replaced (${replacementKind})`, perplexity.replaced),
  ];
  return entries.filter((e) => e !== undefined);
}

function entry(
  key: PerplexityEntry['key'],
  label: string,
  value: number | undefined,
): PerplexityEntry | undefined {
  return value === undefined ? undefined : { key, label, value };
}

/**
 * Bars of the perplexities present: original, plain removal (`none`) and replaced (labelled with
 * `replacementKind`; left out when the kind is `none`, since it then is plain removal). Each bar is
 * a `<rect data-bar="original|none|replaced">` with the exact value in `data-value` and a
 * `<title>`, labelled with its value and its change from the original. A value that is not finite
 * gets a slot without a bar, labelled as such. Returns SVG markup.
 */
export function perplexityBarsSvg(
  perplexity: NonNullable<StreamlineReport['perplexity']>,
  replacementKind: string,
  options: PerplexityBarsOptions = {},
): string {
  const width = options.width ?? 420;
  const height = options.height ?? 260;
  const id = options.idPrefix ?? 'sl-perplexity';
  const title = `Perplexity on ${perplexity.source}: original, plain removal and ${replacementKind} replacement`;
  const frame = {
    width,
    height,
    idPrefix: id,
    xmlns: options.xmlns,
    title,
    className: 'sl-perplexity',
  };
  const bars = perplexityEntries(perplexity, replacementKind).map((e) => ({
    ...e,
    colour: COLOURS[e.key],
  }));
  if (bars.length === 0) return emptyChart(frame, 'No perplexities were evaluated.');

  const plot = {
    left: MARGIN.left,
    right: width - MARGIN.right,
    top: MARGIN.top + 30,
    bottom: height - MARGIN.bottom,
  };
  const finite = bars.map((b) => b.value).filter(isFiniteNumber);
  const ticks = niceTicks(0, Math.max(0, ...finite), 4);
  const top = ticks.values.at(-1) as number;
  const y = linearScale(0, top, plot.bottom, plot.top);
  const original = isFiniteNumber(perplexity.original) ? perplexity.original : undefined;

  let axes = '';
  for (const v of ticks.values)
    axes +=
      tag('line', { x1: plot.left, x2: plot.right, y1: y(v), y2: y(v), stroke: INK.grid }) +
      text(plot.left - 6, y(v) + 4, ticks.label(v), { 'text-anchor': 'end', fill: INK.muted });
  const yMid = (plot.top + plot.bottom) / 2;
  axes += text(16, yMid, 'perplexity (lower is better)', {
    'text-anchor': 'middle',
    transform: `rotate(-90 16 ${yMid})`,
  });

  const slot = (plot.right - plot.left) / bars.length;
  const barWidth = Math.min(90, slot * 0.6);
  let marks = '';
  for (const [i, bar] of bars.entries()) {
    const centre = plot.left + slot * (i + 0.5);
    const v = bar.value;
    marks += text(centre, plot.bottom + 18, bar.label, { 'text-anchor': 'middle' });
    if (!isFiniteNumber(v)) {
      marks += text(centre, plot.bottom - 8, `${nonFiniteLabel(v)} (not finite)`, {
        'text-anchor': 'middle',
        fill: INK.muted,
        'data-bar': bar.key,
      });
      continue;
    }
    const change =
      original !== undefined && bar.key !== 'original' ? formatPercentChange(v, original) : '';
    marks += tag(
      'rect',
      {
        'data-bar': bar.key,
        'data-value': String(v),
        x: centre - barWidth / 2,
        y: y(v),
        width: barWidth,
        height: plot.bottom - y(v),
        fill: bar.colour,
      },
      tag(
        'title',
        {},
        escapeXml(`${bar.label}: perplexity ${formatNumber(v, 6)}${change ? ` (${change})` : ''}`),
      ),
    );
    marks += text(centre, y(v) - (change ? 20 : 6), formatNumber(v, 4), {
      'text-anchor': 'middle',
      'font-weight': 'bold',
    });
    if (change)
      marks += text(centre, y(v) - 6, change, {
        'text-anchor': 'middle',
        fill: INK.muted,
        'font-size': 11,
      });
  }
  marks += tag('line', {
    x1: plot.left,
    x2: plot.right,
    y1: plot.bottom,
    y2: plot.bottom,
    stroke: INK.axis,
  });

  const description = `Perplexity on ${perplexity.source} (${perplexity.blocks} blocks; lower is better): ${bars
    .map(
      (b) =>
        `${b.label} ${formatNumber(b.value, 6)}${isFiniteNumber(b.value) && original !== undefined && b.key !== 'original' ? ` (${formatPercentChange(b.value, original)})` : ''}`,
    )
    .join(', ')}.`;
  return svgFrame({ ...frame, description }, tag('g', {}, axes) + tag('g', {}, marks));
}
