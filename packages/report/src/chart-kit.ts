/**
 * The small pieces every part of the run report shares: escaping, number formatting, axis ticks,
 * linear scales, the colour scale, and the `<svg role="img">` frame with its title and description.
 * Pure functions of their arguments (no locale, no clock), so the report renders the same bytes
 * everywhere. No `node:` imports: the report renders in browsers too.
 */

import type { StreamlineReport } from '@llm-streamline/streamline';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Text or attribute value → markup that shows it literally, in HTML and in XML (SVG) alike. Control
 * characters XML forbids become U+FFFD, so a standalone SVG stays well-formed whatever the text.
 */
export function escapeXml(text: string): string {
  return (
    text
      .replace(/[&<>"']/g, (c) => ENTITIES[c] as string)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the characters XML forbids is the point.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
  );
}

/**
 * A finite number. Values read back from `streamline.json` may be `null` where the run produced NaN
 * or ±Infinity (JSON has neither), so every chart filters through this.
 */
export function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** How a value that is not a finite number is shown. */
export function nonFiniteLabel(v: unknown): string {
  if (v === null || Number.isNaN(v)) return 'NaN';
  if (typeof v !== 'number') return 'n/a';
  return v === Number.NEGATIVE_INFINITY ? '−∞' : '∞';
}

/**
 * `v` to `significant` significant digits, trailing zeros dropped: 0.97312 → "0.9731" (4), 6.3194
 * → "6.319". Very large or small magnitudes use exponent notation. Non-finite values as
 * {@link nonFiniteLabel}.
 */
export function formatNumber(v: unknown, significant = 4): string {
  if (!isFiniteNumber(v)) return nonFiniteLabel(v);
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 1e6 || abs < 1e-4) return v.toExponential(significant - 1).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(significant)));
}

/** An integer with thousands separators: 2428040 → "2,428,040". */
export function formatInteger(v: number): string {
  if (!isFiniteNumber(v)) return nonFiniteLabel(v);
  const digits = String(Math.round(Math.abs(v))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return v < 0 ? `-${digits}` : digits;
}

/** Binary units by power of 1024, as @llm-streamline/llm's `formatByteSize` names them. */
export const BYTE_UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/**
 * `bytes` in the largest binary unit that keeps it at least 1, three significant digits at most
 * (`64.0 MiB`, `1.50 GiB`, `512 bytes`): the same text as llm's `formatByteSize`, which the CLI
 * prints, written again here because the report takes nothing but types from the packages below it.
 */
export function formatBytes(bytes: unknown): string {
  if (!isFiniteNumber(bytes)) return nonFiniteLabel(bytes);
  let value = bytes;
  let k = 0;
  while (Math.abs(value) >= 1024 && k < BYTE_UNITS.length - 1) {
    value /= 1024;
    k++;
  }
  if (k === 0) return `${bytes} bytes`;
  return `${value.toFixed(Math.abs(value) < 10 ? 2 : 1)} ${BYTE_UNITS[k]}`;
}

/** A change relative to a reference, signed, one decimal: +62.5%. */
export function formatPercentChange(value: number, reference: number): string {
  const change = (value / reference - 1) * 100;
  return `${change >= 0 ? '+' : '−'}${Math.abs(change).toFixed(1)}%`;
}

/** Layers j…j+m−1 of a window starting at j with m layers: "layers 4–6", or "layer 4" when m = 1. */
export function layerRange(start: number, size: number): string {
  return size === 1 ? `layer ${start}` : `layers ${start}–${start + size - 1}`;
}

/**
 * The window sizes m present in `report.scores` (ascending) and the layer count L: the model's,
 * or more when the scores imply more (window j of size m ends at layer j + m − 1 ≤ L − 1).
 * Window (j, m) exists for 0 ≤ j ≤ L − m.
 */
export function scoreLayout(report: Pick<StreamlineReport, 'scores' | 'model'>): {
  sizes: number[];
  layers: number;
} {
  const scores = report.scores ?? {};
  const sizes = Object.keys(scores)
    .map(Number)
    .filter((m) => Number.isInteger(m) && m >= 1 && Array.isArray(scores[m]))
    .sort((a, b) => a - b);
  const layers = Math.max(
    report.model.layers,
    ...sizes.map((m) => (scores[m] as number[]).length + m - 1),
  );
  return { sizes, layers };
}

/** Ticks at 1, 2 or 5 × 10^k that cover [lo, hi]; `label` prints a tick with just enough decimals. */
export interface Ticks {
  values: number[];
  step: number;
  label(v: number): string;
}

/**
 * About `count` evenly spaced "nice" ticks (steps of 1, 2 or 5 × 10^k, at least `minStep`), from
 * the largest multiple of the step ≤ lo to the smallest ≥ hi. An empty range (lo = hi) is widened
 * around its value.
 */
export function niceTicks(lo: number, hi: number, count = 5, minStep = 0): Ticks {
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const raw = (hi - lo) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const ratio = raw / magnitude;
  const step = Math.max(
    minStep,
    (ratio >= 7.5 ? 10 : ratio >= 3.5 ? 5 : ratio >= 1.5 ? 2 : 1) * magnitude,
  );
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const values: number[] = [];
  // The small tolerance keeps a bound that is a multiple of the step, up to rounding, a tick.
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  for (let i = first; i <= last; i++) values.push(Number((i * step).toFixed(decimals)));
  return { values, step, label: (v) => v.toFixed(decimals) };
}

/** The linear map taking d0 → r0 and d1 → r1 (an empty domain maps to the middle of the range). */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/**
 * Viridis (matplotlib's perceptually uniform, colour-blind-safe map) at ten evenly spaced points;
 * its luminance rises monotonically from dark violet to bright yellow.
 */
const VIRIDIS = [
  '#440154',
  '#482878',
  '#3e4989',
  '#31688e',
  '#26828e',
  '#1f9e89',
  '#35b779',
  '#6ece58',
  '#b5de2b',
  '#fde725',
].map(hexToRgb);

/** Colour of t in [0, 1] (clamped) on the sequential scale: 0 dark violet → 1 bright yellow. */
export function sequentialColour(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const a = VIRIDIS[i] as number[];
  const b = VIRIDIS[i + 1] as number[];
  return rgbToHex(a.map((c, k) => c + (x - i) * ((b[k] as number) - c)));
}

/** Evenly spaced stops of the sequential scale, for a `<linearGradient>` legend. */
export function sequentialStops(count = VIRIDIS.length): { offset: number; colour: string }[] {
  return Array.from({ length: count }, (_, i) => {
    const offset = i / (count - 1);
    return { offset, colour: sequentialColour(offset) };
  });
}

/** WCAG 2 relative luminance of a #rrggbb colour. */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = hexToRgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** Black or white, whichever contrasts more with the background `hex`. */
export function textColourOn(hex: string): '#000000' | '#ffffff' {
  const l = relativeLuminance(hex);
  // Contrast with black is (l + 0.05) / 0.05, with white 1.05 / (l + 0.05); equal at l ≈ 0.179.
  return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
}

function hexToRgb(hex: string): number[] {
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
}

function rgbToHex(rgb: number[]): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}

/** Colours of the charts' ink, chosen for at least 3:1 contrast on white (WCAG non-text contrast). */
export const INK = {
  text: '#1a1a1a',
  muted: '#595959',
  axis: '#767676',
  grid: '#e3e3e3',
  /** Okabe–Ito blue, vermillion and grey: distinguishable with every common colour-vision deficiency. */
  blue: '#0072b2',
  vermillion: '#d55e00',
  grey: '#6b6b6b',
} as const;

/** Rounds a coordinate to 0.01 px, so the markup is short and the same on every platform. */
export function px(v: number): string {
  return String(Math.round(v * 100) / 100);
}

type AttributeValue = string | number | boolean | undefined;

/**
 * One element: `tag('rect', { x: 1, fill: '#fff' })` → `<rect x="1" fill="#fff"/>`. Attribute
 * values are escaped, numbers rounded by {@link px}; undefined and false attributes are left out.
 * `children` is markup, inserted as is (escape text with {@link escapeXml}).
 */
export function tag(name: string, attributes: Record<string, AttributeValue>, children?: string) {
  let open = `<${name}`;
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    open += ` ${key}="${value === true ? key : typeof value === 'number' ? px(value) : escapeXml(value)}"`;
  }
  return children === undefined ? `${open}/>` : `${open}>${children}</${name}>`;
}

/** A `<text>` element with escaped content. */
export function text(
  x: number,
  y: number,
  content: string,
  attributes: Record<string, AttributeValue> = {},
): string {
  return tag('text', { x, y, ...attributes }, escapeXml(content));
}

/** Options every chart takes. */
export interface SvgOptions {
  /** Width in px (the chart scales with CSS; this sets its proportions and intrinsic size). */
  width?: number;
  /**
   * Prefix of the ids inside the SVG (title, description, patterns, gradients). Give each chart on
   * one page its own when drawing the same kind of chart more than once.
   */
  idPrefix?: string;
  /**
   * Include `xmlns` (default true), as a standalone `.svg` file needs. Inline in HTML it is
   * implied, so the report leaves it out.
   */
  xmlns?: boolean;
}

/**
 * The `<svg role="img">` frame: a title and a description that screen readers announce (and most
 * viewers show as a tooltip), a viewBox of width × height, system fonts only.
 */
export function svgFrame(
  frame: {
    width: number;
    height: number;
    idPrefix: string;
    xmlns?: boolean;
    title: string;
    description: string;
    className: string;
  },
  body: string,
): string {
  const { width, height, idPrefix: id } = frame;
  return tag(
    'svg',
    {
      xmlns: frame.xmlns === false ? undefined : 'http://www.w3.org/2000/svg',
      class: frame.className,
      width,
      height,
      viewBox: `0 0 ${px(width)} ${px(height)}`,
      role: 'img',
      'aria-labelledby': `${id}-title ${id}-desc`,
      'font-family': 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
      'font-size': 12,
      fill: INK.text,
    },
    `${tag('title', { id: `${id}-title` }, escapeXml(frame.title))}${tag(
      'desc',
      { id: `${id}-desc` },
      escapeXml(frame.description),
    )}${body}`,
  );
}

/** A centred note in an otherwise empty chart ("no training data yet"). */
export function emptyChart(
  frame: Omit<Parameters<typeof svgFrame>[0], 'description'>,
  message: string,
): string {
  return svgFrame(
    { ...frame, description: message },
    text(frame.width / 2, frame.height / 2, message, {
      'text-anchor': 'middle',
      fill: INK.muted,
    }),
  );
}
