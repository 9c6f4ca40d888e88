/**
 * The "Methods for the same n" section of report.html: LLM-Streamline's replaced window, plain
 * removal of its n-layer window, and the baselines streamline.json records (ShortGPT's n layers of
 * lowest Block Influence, the perplexity metric's window), each with the layers it removes and its
 * perplexity on the evaluation blocks, as the paper's tables put methods side by side.
 */
import type { StreamlineReport } from '@llm-streamline/streamline';
import { escapeXml, formatNumber, formatPercentChange, isFiniteNumber } from './chart-kit.js';
import { rowHeader, section, table, td } from './html-kit.js';

const METHOD_LABELS: Record<string, string> = {
  'short-gpt': 'ShortGPT (lowest Block Influence)',
  'ppl-window': 'perplexity-metric window',
};

/** The section, or '' for a run that recorded no baselines (`compareBaselines: false`, older files). */
export function methodsSection(r: StreamlineReport): string {
  if (!r.baselines?.length) return '';
  const p = r.perplexity;
  const range = (start: number, size: number) => Array.from({ length: size }, (_, k) => start + k);
  const methods: { label: string; layers: number[]; perplexity?: number }[] = [
    ...(r.replacement.kind === 'none'
      ? []
      : [
          {
            label: `LLM-Streamline (${r.replacement.kind} replacement)`,
            layers: range(r.window.start, r.window.size),
            perplexity: p?.replaced,
          },
        ]),
    {
      label: 'LLM-Streamline window, plain removal',
      layers: range(r.removalWindow.start, r.removalWindow.size),
      perplexity: p?.none,
    },
    ...r.baselines.map((b) => ({
      label: METHOD_LABELS[b.method] ?? b.method,
      layers: b.layers,
      perplexity: b.perplexity,
    })),
  ];
  const original = isFiniteNumber(p?.original) ? p?.original : undefined;
  const rows = methods.map((m) => [
    rowHeader(m.label),
    td(escapeXml(layerList(m.layers)), 'text'),
    td(escapeXml(isFiniteNumber(m.perplexity) ? formatNumber(m.perplexity, 6) : '—')),
    td(
      escapeXml(
        original !== undefined && isFiniteNumber(m.perplexity)
          ? formatPercentChange(m.perplexity, original)
          : '',
      ),
    ),
  ]);
  const where = p
    ? `Perplexity on ${escapeXml(p.source)} (${escapeXml(String(p.blocks))} blocks), as above. Lower is better.`
    : 'Evaluation was skipped, so only the choices are shown.';
  return section(
    'methods',
    `Methods for the same n (${r.layersRemoved} layers)`,
    `<p>Which layers each method removes for the same n. ShortGPT removes the n layers of lowest Block Influence (1 − mean cosine of a layer's input and output), not necessarily consecutive; the perplexity-metric window is the n-layer window whose removal gives the lowest perplexity on the scoring blocks. The replacement's window has one layer more (m = n + 1), which its module stands in for. ${where}</p>
${table([['method', 'layers removed', 'perplexity', 'vs original'], ...rows], 'methods')}`,
  );
}

/** Ascending layer indices as runs: [1, 2, 3, 7] → "1–3, 7". */
export function layerList(layers: readonly number[]): string {
  const sorted = [...layers].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let k = 0; k < sorted.length; ) {
    let end = k;
    while (end + 1 < sorted.length && (sorted[end + 1] as number) === (sorted[end] as number) + 1)
      end++;
    runs.push(end === k ? `${sorted[k]}` : `${sorted[k]}–${sorted[end]}`);
    k = end + 1;
  }
  return runs.join(', ');
}
