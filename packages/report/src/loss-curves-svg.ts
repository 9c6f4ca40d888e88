/**
 * The replacement's training curves: the MSE of every optimiser step as a thin line (and, when
 * asked, its exponential moving average), the validation MSE after each epoch as markers on the
 * same step axis, and the epoch whose parameters were kept.
 */
import {
  emptyChart,
  escapeXml,
  formatNumber,
  INK,
  isFiniteNumber,
  linearScale,
  niceTicks,
  px,
  type SvgOptions,
  svgFrame,
  tag,
  text,
} from './chart-kit.js';

/**
 * A training record, complete or still growing (the web app redraws while training runs). The
 * shape of `StreamlineReport['training']`, which can be passed as it is.
 */
export interface LossCurvesInput {
  /** Loss of each optimiser step so far. */
  stepLoss: readonly number[];
  /** Validation loss before training (index 0) and after each finished epoch. */
  validationLoss: readonly number[];
  /** Epoch whose parameters were kept (0 = before training). */
  bestEpoch?: number;
  /**
   * Optimiser steps per epoch, which places epoch e at step e × stepsPerEpoch. Default: the steps
   * so far divided evenly among the finished epochs, which is exact for a finished run that did not
   * stop early; pass it while training runs or after an early stop.
   */
  stepsPerEpoch?: number;
  /** Why training stopped early, when it did. */
  stopped?: string;
}

export interface LossCurvesOptions extends SvgOptions {
  /** Height in px (default 300). */
  height?: number;
  /**
   * Weight of the past in an exponential moving average of the step loss, drawn over the raw line
   * (bias-corrected, as TensorBoard does). 0 (default) draws the raw steps only; 0.9 is strong.
   */
  smoothing?: number;
}

const MARGIN = { left: 60, right: 16, top: 34, bottom: 44 };
const STOPPED_NOTE = 'Training stopped early.';

/**
 * Training loss per step (thin line, optionally smoothed) and validation loss per epoch (markers,
 * joined by a dashed line), the best epoch ringed with a vertical rule. Non-finite losses are left
 * out and counted in a note (an early stop is noted too). Returns SVG markup; the step line is the
 * `<polyline data-series="step">`, one point per finite step.
 */
export function lossCurvesSvg(training: LossCurvesInput, options: LossCurvesOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 300;
  const id = options.idPrefix ?? 'sl-loss';
  const title = 'Replacement training loss';
  const frame = { width, height, idPrefix: id, xmlns: options.xmlns, title, className: 'sl-loss' };
  const steps = training.stepLoss ?? [];
  const validation = training.validationLoss ?? [];
  const epochs = validation.length - 1;
  const stepsPerEpoch =
    training.stepsPerEpoch ?? (epochs > 0 && steps.length > 0 ? steps.length / epochs : 1);

  // Step i (0-based) is drawn at x = i + 1, the number of steps taken; epoch e at e × stepsPerEpoch.
  const stepPoints = steps.flatMap((v, i) => (isFiniteNumber(v) ? [[i + 1, v] as const] : []));
  const epochPoints = validation.flatMap((v, e) =>
    isFiniteNumber(v) ? [[e * stepsPerEpoch, v, e] as const] : [],
  );
  const smoothed = smooth(stepPoints, options.smoothing ?? 0);
  const nonFiniteSteps = steps.length - stepPoints.length;
  const nonFiniteEpochs = validation.length - epochPoints.length;
  const notes = [
    nonFiniteSteps
      ? `${nonFiniteSteps} non-finite step loss${nonFiniteSteps > 1 ? 'es' : ''} not drawn (first at step ${steps.findIndex((v) => !isFiniteNumber(v)) + 1}).`
      : '',
    nonFiniteEpochs
      ? `${nonFiniteEpochs} non-finite validation loss${nonFiniteEpochs > 1 ? 'es' : ''} not drawn.`
      : '',
    training.stopped ? STOPPED_NOTE : '',
  ].filter(Boolean);

  if (stepPoints.length === 0 && epochPoints.length === 0)
    return emptyChart(
      frame,
      steps.length + validation.length === 0
        ? 'No training losses yet.'
        : `No finite training losses. ${notes.join(' ')}`,
    );

  const plot = {
    left: MARGIN.left,
    right: width - MARGIN.right,
    top: MARGIN.top,
    bottom: height - MARGIN.bottom - 16 * notes.length,
  };
  const xMax = Math.max(1, steps.length, epochs * stepsPerEpoch);
  // Whole steps only.
  const xTicks = niceTicks(0, xMax, Math.max(2, Math.round((plot.right - plot.left) / 90)), 1);
  const x = linearScale(0, xTicks.values.at(-1) as number, plot.left, plot.right);
  const ys = [...stepPoints, ...epochPoints].map((p) => p[1]);
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys), 5);
  const y = linearScale(
    yTicks.values[0] as number,
    yTicks.values.at(-1) as number,
    plot.bottom,
    plot.top,
  );

  let grid = '';
  for (const v of yTicks.values)
    grid +=
      tag('line', { x1: plot.left, x2: plot.right, y1: y(v), y2: y(v), stroke: INK.grid }) +
      text(plot.left - 6, y(v) + 4, yTicks.label(v), { 'text-anchor': 'end', fill: INK.muted });
  for (const v of xTicks.values)
    grid +=
      tag('line', { x1: x(v), x2: x(v), y1: plot.bottom, y2: plot.bottom + 4, stroke: INK.axis }) +
      text(x(v), plot.bottom + 17, xTicks.label(v), { 'text-anchor': 'middle', fill: INK.muted });
  grid += tag('line', {
    x1: plot.left,
    x2: plot.right,
    y1: plot.bottom,
    y2: plot.bottom,
    stroke: INK.axis,
  });
  grid += text((plot.left + plot.right) / 2, plot.bottom + 34, 'optimiser step', {
    'text-anchor': 'middle',
  });
  const yMid = (plot.top + plot.bottom) / 2;
  grid += text(16, yMid, 'loss (MSE)', {
    'text-anchor': 'middle',
    transform: `rotate(-90 16 ${px(yMid)})`,
  });

  const points = (ps: readonly (readonly [number, number, ...unknown[]])[]) =>
    ps.map(([px_, py]) => `${px(x(px_))},${px(y(py))}`).join(' ');
  let series = tag('polyline', {
    'data-series': 'step',
    points: points(stepPoints),
    fill: 'none',
    stroke: INK.blue,
    'stroke-width': smoothed ? 1 : 1.25,
    'stroke-opacity': smoothed ? 0.45 : 1,
    'stroke-linejoin': 'round',
  });
  if (stepPoints.length === 1) {
    const [sx, sy] = stepPoints[0] as readonly [number, number];
    series += tag('circle', { cx: x(sx), cy: y(sy), r: 2, fill: INK.blue });
  }
  if (smoothed)
    series += tag('polyline', {
      'data-series': 'smoothed',
      points: points(smoothed),
      fill: 'none',
      stroke: INK.blue,
      'stroke-width': 2,
      'stroke-linejoin': 'round',
    });

  const best = training.bestEpoch;
  const bestPoint = epochPoints.find((p) => p[2] === best);
  if (bestPoint)
    series +=
      tag('line', {
        'data-best-epoch': bestPoint[2],
        x1: x(bestPoint[0]),
        x2: x(bestPoint[0]),
        y1: plot.top,
        y2: plot.bottom,
        stroke: INK.vermillion,
        'stroke-dasharray': '4 3',
      }) +
      text(
        x(bestPoint[0]) + (x(bestPoint[0]) > (plot.left + plot.right) / 2 ? -6 : 6),
        plot.top + 12,
        `kept: epoch ${bestPoint[2]}`,
        {
          'text-anchor': x(bestPoint[0]) > (plot.left + plot.right) / 2 ? 'end' : 'start',
          fill: INK.vermillion,
        },
      );
  series += tag('polyline', {
    'data-series': 'validation',
    points: points(epochPoints),
    fill: 'none',
    stroke: INK.vermillion,
    'stroke-width': 1.25,
    'stroke-dasharray': '3 3',
  });
  for (const [ex, ev, e] of epochPoints) {
    const label = `${e === 0 ? 'before training' : `epoch ${e}`}: validation loss ${formatNumber(ev, 6)}${e === best ? ' (kept)' : ''}`;
    series += tag(
      'circle',
      {
        'data-epoch': e,
        cx: x(ex),
        cy: y(ev),
        r: e === best ? 5.5 : 4,
        fill: e === best ? '#ffffff' : INK.vermillion,
        stroke: INK.vermillion,
        'stroke-width': e === best ? 2.5 : 1,
      },
      tag('title', {}, escapeXml(label)),
    );
  }

  const legend = legendRow(12, 14, smoothed !== undefined, best !== undefined);
  const noteText = notes
    .map((n, i) => text(plot.left, height - 8 - 16 * (notes.length - 1 - i), n, { fill: INK.text }))
    .join('');

  const first = stepPoints[0];
  const last = stepPoints.at(-1);
  const description = [
    `Training loss (mean squared error) of ${steps.length} optimiser step${steps.length === 1 ? '' : 's'}`,
    epochs < 0
      ? 'and no validation loss yet.'
      : `and validation loss before training${epochs > 0 ? ` and after ${epochs} epoch${epochs === 1 ? '' : 's'}` : ''}.`,
    first && last
      ? `Step loss from ${formatNumber(first[1])} at step ${first[0]} to ${formatNumber(last[1])} at step ${last[0]}.`
      : '',
    epochPoints.length
      ? `Validation loss by epoch: ${epochPoints.map(([, v, e]) => `${e}: ${formatNumber(v)}`).join(', ')}.`
      : '',
    bestPoint ? `The parameters of epoch ${best} were kept.` : '',
    // The reason in full rather than the chart's short note.
    ...notes.filter((n) => n !== STOPPED_NOTE),
    training.stopped ?? '',
  ]
    .filter(Boolean)
    .join(' ');
  return svgFrame(
    { ...frame, description },
    tag('g', { class: 'axes' }, grid) +
      tag('g', { class: 'series' }, series) +
      tag('g', { class: 'legend' }, legend) +
      (noteText ? tag('g', { class: 'notes' }, noteText) : ''),
  );
}

/** Bias-corrected exponential moving average of the points (undefined when `weight` is 0). */
function smooth(
  points: readonly (readonly [number, number])[],
  weight: number,
): [number, number][] | undefined {
  if (!(weight > 0) || points.length === 0) return undefined;
  const w = Math.min(weight, 0.999);
  let average = 0;
  return points.map(([px_, v], i) => {
    average = w * average + (1 - w) * v;
    return [px_, average / (1 - w ** (i + 1))];
  });
}

function legendRow(x: number, y: number, smoothed: boolean, best: boolean): string {
  const items: [string, string][] = [
    [
      tag('line', {
        x1: 0,
        x2: 18,
        y1: -4,
        y2: -4,
        stroke: INK.blue,
        'stroke-width': smoothed ? 1 : 1.5,
        'stroke-opacity': smoothed ? 0.45 : 1,
      }),
      'step loss',
    ],
  ];
  if (smoothed)
    items.push([
      tag('line', { x1: 0, x2: 18, y1: -4, y2: -4, stroke: INK.blue, 'stroke-width': 2 }),
      'moving average',
    ]);
  items.push([
    tag('circle', { cx: 9, cy: -4, r: 4, fill: INK.vermillion }),
    'validation loss (per epoch)',
  ]);
  if (best)
    items.push([
      tag('circle', {
        cx: 9,
        cy: -4,
        r: 5,
        fill: '#ffffff',
        stroke: INK.vermillion,
        'stroke-width': 2.5,
      }),
      'kept epoch',
    ]);
  // Width of each entry: the swatch, a gap, and about 6.8 px per character at 11 px (generous).
  let out = '';
  let offset = 0;
  for (const [swatch, label] of items) {
    out += tag('g', { transform: `translate(${px(x + offset)} ${px(y)})` }, swatch);
    out += text(x + offset + 24, y, label, { 'font-size': 11 });
    offset += 24 + label.length * 6.8 + 18;
  }
  return out;
}
