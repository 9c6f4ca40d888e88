/**
 * The run report as one self-contained HTML page: a summary, the charts (and, for a run under a
 * device memory budget, its peaks per stage), and the numbers behind them (scores, epochs,
 * perplexities, memory, timings, hyperparameters). Inline CSS and inline SVG
 * only: no scripts, no external URLs, no fonts to fetch, and a Content-Security-Policy that forbids
 * loading anything, so the file opens the same offline, from disk or as a download.
 */
import type { StreamlineReport } from '@llm-streamline/streamline';
import {
  escapeXml,
  formatInteger,
  formatNumber,
  formatPercentChange,
  isFiniteNumber,
  layerRange,
  scoreLayout,
  tag,
} from './chart-kit.js';
import { similarityHeatmapSvg } from './heatmap-svg.js';
import { rowHeader, section, table, td } from './html-kit.js';
import { keepSection } from './keep-section.js';
import { lossCurvesSvg } from './loss-curves-svg.js';
import { memorySection } from './memory-section.js';
import { methodsSection } from './methods-section.js';
import { perplexityBarsSvg, perplexityEntries } from './perplexity-bars-svg.js';
import { tasksSection } from './tasks-section.js';

export interface ReportHtmlOptions {
  /** The page title and heading. Default: "LLM-Streamline report: <model source>". */
  title?: string;
}

/** Steps above which the loss chart also draws a moving average of the step loss. */
const SMOOTH_ABOVE_STEPS = 50;

const CSS = `
:root { color-scheme: light; --fg: #1a1a1a; --muted: #595959; --line: #d9d9d9; --soft: #f5f5f5; --accent: #0072b2; --warn: #8a3b00; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 980px; padding: 24px 20px 48px; color: var(--fg); background: #ffffff;
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
h1 { font-size: 1.6em; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 1.2em; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
p { margin: 6px 0; }
.lead { color: var(--muted); margin-bottom: 16px; }
.muted { color: var(--muted); }
.note { border-left: 4px solid var(--warn); background: #fff4e5; padding: 8px 12px; margin: 8px 0; }
figure { margin: 12px 0; }
figcaption { color: var(--muted); font-size: 0.9em; }
svg { max-width: 100%; height: auto; display: block; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: right; vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
th[scope=row], td.text { text-align: left; }
table.summary td { text-align: left; overflow-wrap: anywhere; }
td.replaced { outline: 2px solid #000000; outline-offset: -3px; font-weight: 700; }
td.removal { outline: 2px dashed #000000; outline-offset: -3px; font-weight: 700; }
td.missing { color: var(--muted); }
tr.best td { font-weight: 700; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.95em; }
footer { margin-top: 40px; color: var(--muted); font-size: 0.85em; }
@media print { body { max-width: none; } h2 { break-after: avoid; } figure, table { break-inside: avoid; } }
`;

/**
 * One self-contained HTML document for a run: summary, window-score heat map and table, training
 * curves and per-epoch table, perplexity bars and table, task accuracy (for a run with tasks),
 * device memory (for a run under a memory
 * budget), timings, hyperparameters. Every text from
 * the report is escaped; numbers are formatted without the locale, so the same report always gives
 * the same bytes. Pure: call it in Node or a browser (`saveStreamlined` writes it as `report.html`
 * when given it as `renderReport`).
 */
export function renderReportHtml(
  report: StreamlineReport,
  options: ReportHtmlOptions = {},
): string {
  const title = options.title ?? `LLM-Streamline report: ${report.model.source}`;
  const sections = [
    summarySection(report),
    scoresSection(report),
    trainingSection(report),
    perplexitySection(report),
    tasksSection(report),
    keepSection(report),
    methodsSection(report),
    memorySection(report.memory),
    timingsSection(secondsPerStage(report)),
    hyperparametersSection(report),
  ]
    .filter(Boolean)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'" />
<meta name="generator" content="@llm-streamline/streamline" />
<title>${escapeXml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeXml(title)}</h1>
<p class="lead">${escapeXml(headline(report))}</p>
</header>
${sections}
<footer>Written by @llm-streamline/streamline from streamline.json (format version ${escapeXml(String(report.version))}). LLM-Streamline: Chen, Hu, Zhang, <i>Streamlining Redundant Layers to Compress Large Language Models</i>, ICLR 2025.</footer>
</body>
</html>
`;
}

/** One sentence: what was done and what it cost. */
function headline(r: StreamlineReport): string {
  const { window: w, removalWindow: rw } = r;
  const what =
    r.replacement.kind === 'none' || r.keep?.kept === 'removal'
      ? `Removed ${layerRange(rw.start, rw.size)}`
      : `Replaced ${layerRange(w.start, w.size)} with one ${r.replacement.kind} block`;
  const ppl = r.perplexity;
  // The exported model's perplexity: plain removal's when that was kept.
  const exported = r.keep?.kept === 'removal' ? ppl?.none : ppl?.replaced;
  const pplText =
    ppl && isFiniteNumber(exported)
      ? `; perplexity ${isFiniteNumber(ppl.original) ? `${formatNumber(ppl.original)} → ` : ''}${formatNumber(exported)}`
      : '';
  return `${what}: ${r.model.layers} → ${r.result.layers} layers, ${formatInteger(r.model.parameters)} → ${formatInteger(r.result.parameters)} parameters (${formatPercentChange(r.result.parameters, r.model.parameters)})${pplText}.`;
}

const windowText = (w: { start: number; size: number; score: number }) =>
  `${layerRange(w.start, w.size)} (j = ${w.start}, m = ${w.size}), score ${formatNumber(w.score, 6)}`;

function summarySection(r: StreamlineReport): string {
  const rows: [string, string][] = [
    ['Model', `${r.model.source} (${r.model.format})`],
    ['Layers', `${r.model.layers} → ${r.result.layers} (n = ${r.layersRemoved} removed net)`],
    [
      'Parameters',
      `${formatInteger(r.model.parameters)} → ${formatInteger(r.result.parameters)} (${formatPercentChange(r.result.parameters, r.model.parameters)})`,
    ],
    [
      'Metric',
      `${r.metric.name}: ${r.metric.description} (${r.metric.higherIsRedundant ? 'higher' : 'lower'} means more redundant)`,
    ],
  ];
  if (r.replacement.kind === 'none') rows.push(['Removed window', windowText(r.removalWindow)]);
  else
    rows.push(
      ['Replaced window', windowText(r.window)],
      ['Plain-removal window', `${windowText(r.removalWindow)}, for comparison`],
    );
  rows.push(
    [
      'Replacement',
      `${r.replacement.kind}: ${r.replacement.description}; ${formatInteger(r.replacement.parameters)} parameters; saved as ${savedAs(r.replacement.export)}`,
    ],
    [
      'Calibration',
      `${r.calibration.source}: blocks of ${r.calibration.blockLength} tokens, ${r.calibration.scoringBlocks} for scoring, ${r.calibration.trainingBlocks} for training, ${r.calibration.validationBlocks} for validation`,
    ],
  );
  if (r.perplexity)
    rows.push([
      'Evaluation',
      `${r.perplexity.source}: ${r.perplexity.blocks} blocks of ${r.calibration.blockLength} tokens`,
    ]);
  rows.push(['Seed', String(r.seed)]);
  return section(
    'summary',
    'Summary',
    `<table class="summary"><tbody>
${rows.map(([k, v]) => `<tr>${rowHeader(k)}<td>${escapeXml(v)}</td></tr>`).join('\n')}
</tbody></table>`,
  );
}

function scoresSection(r: StreamlineReport): string {
  const { sizes, layers } = scoreLayout(r);
  const columns = layers - (sizes[0] ?? 1) + 1;
  const isWindow = (w: { start: number; size: number }, m: number, j: number) =>
    w.start === j && w.size === m;
  const cell = (m: number, j: number) => {
    if (j + m > layers) return td(''); // not a window: it would run past the last layer
    const v = r.scores[m]?.[j];
    const marks = [
      isWindow(r.window, m, j) && r.replacement.kind !== 'none' ? 'replaced' : '',
      isWindow(r.removalWindow, m, j) ? 'removal' : '',
    ].filter(Boolean);
    const value = v === undefined ? 'not scored' : formatNumber(v, 6);
    const markup = `${escapeXml(value)}${marks.length ? ` (${marks.join(', ')})` : ''}`;
    return td(markup, marks[0] ?? (isFiniteNumber(v) ? undefined : 'missing'));
  };
  const rows = [
    ['m \\ j', ...Array.from({ length: columns }, (_, j) => String(j))],
    ...sizes.map((m) => [
      rowHeader(String(m)),
      ...Array.from({ length: columns }, (_, j) => cell(m, j)),
    ]),
  ];
  const direction = r.metric.higherIsRedundant ? 'highest' : 'lowest';
  return section(
    'scores',
    'Window scores',
    `<p>Every window of m consecutive layers starting at layer j was scored with <code>${escapeXml(r.metric.name)}</code> (${escapeXml(r.metric.description)}); the window with the ${direction} score among windows of its size is the most redundant. Layers are numbered from 0.</p>
<figure>
${similarityHeatmapSvg(r, { xmlns: false })}
<figcaption>Window scores by first layer j (columns) and window size m (rows). Brighter is more redundant. Outlined: the chosen window${r.replacement.kind === 'none' ? '' : 's (solid: replaced, dashed: plain removal)'}. Hatched: not scored, or no finite score. Hover a cell for its exact score.</figcaption>
</figure>
${sizes.length ? table(rows, 'scores') : '<p class="muted">No scores were recorded.</p>'}`,
  );
}

function trainingSection(r: StreamlineReport): string {
  const t = r.training;
  if (!t)
    return section(
      'training',
      'Training',
      `<p class="muted">${escapeXml(
        r.replacement.kind === 'none'
          ? 'Plain removal: nothing to train.'
          : `The ${r.replacement.kind} replacement is not trained by gradient descent (${r.replacement.description}).`,
      )}</p>`,
    );
  const stepsPerEpoch = stepsPerEpochOf(r);
  const epochRows = t.validationLoss.map((v, e) => {
    const cells = [
      e === 0 ? 'before training' : String(e),
      e === 0 ? '—' : formatNumber(t.epochLoss[e - 1], 6),
      formatNumber(v, 6),
      e === t.bestEpoch ? 'kept' : '',
    ];
    const tr = `${rowHeader(cells[0] as string)}${cells
      .slice(1)
      .map((c) => td(escapeXml(c)))
      .join('')}`;
    return e === t.bestEpoch ? `<tr class="best">${tr}</tr>` : `<tr>${tr}</tr>`;
  });
  return section(
    'training',
    'Training',
    `${t.stopped ? `<p class="note" role="note">${escapeXml(t.stopped)}</p>` : ''}
<p>The replacement alone was trained to map h<sub>j</sub> to h<sub>j+m</sub> (mean squared error) for ${t.stepLoss.length} optimiser steps${stepsPerEpoch ? ` (${stepsPerEpoch} per epoch)` : ''}; the parameters of the epoch with the lowest validation loss were kept (epoch ${escapeXml(String(t.bestEpoch))}${t.bestEpoch === 0 ? ', the initial ones' : ''}).</p>
<figure>
${lossCurvesSvg({ ...t, stepsPerEpoch }, { xmlns: false, smoothing: t.stepLoss.length > SMOOTH_ABOVE_STEPS ? 0.9 : 0 })}
<figcaption>Training loss of each step and validation loss after each epoch (epoch 0: before training).</figcaption>
</figure>
<div class="scroll"><table class="epochs">
<thead><tr><th scope="col">epoch</th><th scope="col">mean training loss</th><th scope="col">validation loss</th><th scope="col">kept</th></tr></thead>
<tbody>
${epochRows.join('\n')}
</tbody>
</table></div>`,
  );
}

/**
 * Optimiser steps per epoch, which places the epochs on the loss chart's step axis: one step per
 * batch of training blocks, ⌈trainingBlocks / batchSize⌉. Without those, the record's own counts,
 * which are exact only for a run that finished every epoch.
 */
function stepsPerEpochOf(r: StreamlineReport): number | undefined {
  // Version 3 keys hyperparameters by flag; version 2 files by option name.
  const batchSize = r.hyperparameters.batch ?? r.hyperparameters.batchSize;
  if (typeof batchSize === 'number' && batchSize > 0 && r.calibration.trainingBlocks > 0)
    return Math.ceil(r.calibration.trainingBlocks / batchSize);
  const t = r.training;
  return t && t.epochLoss.length > 0 && !t.stopped
    ? t.stepLoss.length / t.epochLoss.length
    : undefined;
}

function perplexitySection(r: StreamlineReport): string {
  const p = r.perplexity;
  if (!p)
    return section(
      'perplexity',
      'Perplexity',
      '<p class="muted">Evaluation was skipped (no evaluation text).</p>',
    );
  const original = isFiniteNumber(p.original) ? p.original : undefined;
  const labels = {
    original: 'original model',
    none: `plain removal of ${layerRange(r.removalWindow.start, r.removalWindow.size)}`,
    replaced: `${layerRange(r.window.start, r.window.size)} replaced (${r.replacement.kind})`,
  };
  const rows = perplexityEntries(p, r.replacement.kind).map(({ key, value }) => [
    rowHeader(labels[key]),
    td(escapeXml(formatNumber(value, 6))),
    td(
      escapeXml(
        original !== undefined && isFiniteNumber(value) && key !== 'original'
          ? formatPercentChange(value, original)
          : '',
      ),
    ),
  ]);
  return section(
    'perplexity',
    'Perplexity',
    `<p>Perplexity on ${escapeXml(p.source)} (${escapeXml(String(p.blocks))} blocks), each block scored on its own. Lower is better.</p>
<figure>
${perplexityBarsSvg(p, r.replacement.kind, { xmlns: false })}
</figure>
${table([['model', 'perplexity', 'vs original'], ...rows], 'perplexity')}`,
  );
}

/** Seconds per stage: `secondsPerStage`, or `timings` in a file written before version 3. */
function secondsPerStage(r: StreamlineReport): Record<string, number> {
  const legacy = r as StreamlineReport & { timings?: Record<string, number> };
  return r.secondsPerStage ?? legacy.timings ?? {};
}

function timingsSection(timings: Record<string, number>): string {
  const entries = Object.entries(timings);
  const total = entries.reduce((s, [, v]) => s + (isFiniteNumber(v) ? v : 0), 0);
  const rows = entries.map(([stage, seconds]) => [
    rowHeader(stage),
    td(escapeXml(formatNumber(seconds, 3))),
    td(
      escapeXml(
        total > 0 && isFiniteNumber(seconds) ? `${((100 * seconds) / total).toFixed(1)}%` : '',
      ),
    ),
  ]);
  rows.push([rowHeader('total'), td(escapeXml(formatNumber(total, 3))), td('100%')]);
  return section('timings', 'Timings', table([['stage', 'seconds', 'share'], ...rows], 'timings'));
}

function hyperparametersSection(r: StreamlineReport): string {
  const rows = [...Object.entries(r.hyperparameters), ['seed', r.seed] as const].map(([k, v]) => [
    rowHeader(k),
    tag('td', { class: 'text' }, `<code>${escapeXml(String(v))}</code>`),
  ]);
  return section(
    'hyperparameters',
    'Hyperparameters',
    table([['name', 'value'], ...rows], 'hyperparameters'),
  );
}

/** The report's typed export result in words, as the summary table says it. */
function savedAs(e: StreamlineReport['replacement']['export']): string {
  if (e.as === 'not-exportable') return `not exportable: ${e.reason}`;
  return e.as === 'removed' ? 'layers removed' : 'LLaMA decoder layer';
}
