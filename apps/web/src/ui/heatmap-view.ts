/** The layer-redundancy heat map and a sentence about the chosen window. */
import { similarityHeatmapSvg } from '@llm-streamline/report';
import type { StreamlineReport } from '@llm-streamline/streamline';

export function renderHeatmap(
  holder: HTMLElement,
  caption: HTMLElement,
  report: StreamlineReport,
): void {
  holder.innerHTML = similarityHeatmapSvg(report, { idPrefix: 'web-heatmap' });
  const w = report.window;
  const r = report.removalWindow;
  const layers = (start: number, size: number) => `layers ${start}–${start + size - 1}`;
  caption.textContent =
    report.replacement.kind === 'none'
      ? `Removed ${layers(r.start, r.size)} (score ${r.score.toPrecision(4)}).`
      : report.keep?.kept === 'removal'
        ? `Removed ${layers(r.start, r.size)} (score ${r.score.toPrecision(4)}): plain removal beat one ${report.replacement.kind} block in place of ${layers(w.start, w.size)} on validation.`
        : `Replaced ${layers(w.start, w.size)} (m = ${w.size}, score ${w.score.toPrecision(4)}) with one ${report.replacement.kind} block; plain removal would take ${layers(r.start, r.size)}.`;
}
