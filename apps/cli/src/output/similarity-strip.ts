/**
 * The per-layer similarity strip: one cell per layer l showing cos(h_l, h_{l+1}), how little
 * layer l changes the hidden state. Taller (brighter) cells are more redundant layers. Shades
 * span the strip's own range (the values differ mostly in the second decimal), and the legend
 * gives that range. With colour, each cell is a background shade from dark blue to yellow.
 */

const SHADES = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/** 256-colour palette steps from dark (low similarity) to bright (high). */
const COLOURS = [17, 19, 25, 31, 37, 71, 107, 143, 179, 220];

export function similarityStrip(values: readonly number[], { color = false } = {}): string {
  const finite = values.filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const level = (v: number) => (hi > lo ? (v - lo) / (hi - lo) : 1);
  const cells = values.map((v) => {
    if (!Number.isFinite(v)) return '?';
    const t = level(v);
    if (color) {
      const c = COLOURS[Math.min(COLOURS.length - 1, Math.floor(t * COLOURS.length))];
      return `\x1b[48;5;${c}m \x1b[0m`;
    }
    return SHADES[Math.min(SHADES.length - 1, Math.floor(t * SHADES.length))] as string;
  });
  const tens = values.map((_, l) => (l % 10 === 0 ? String(Math.floor(l / 10) % 10) : ' '));
  const ones = values.map((_, l) => String(l % 10));
  return [
    `layer  ${tens.join('')}`,
    `       ${ones.join('')}`,
    `cos    ${cells.join('')}   ${lo.toFixed(4)} (${color ? 'dark' : '▁'}) … ${hi.toFixed(4)} (${color ? 'bright' : '█'})`,
  ].join('\n');
}
