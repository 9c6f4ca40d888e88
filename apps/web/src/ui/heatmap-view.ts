/** The layer-redundancy heat map and a sentence about the chosen window. */
import { similarityHeatmapSvg } from '@llm-streamline/report';
import type { ScoredWindows, StreamlineReport } from '@llm-streamline/streamline';

const layers = (start: number, size: number) => `layers ${start}–${start + size - 1}`;

/**
 * The heat map as soon as scoring ends (the run goes on to train and evaluate), with the windows
 * chosen so far; `kind` is the replacement kind of the run.
 */
export function renderScoredHeatmap(
  holder: HTMLElement,
  caption: HTMLElement,
  scored: ScoredWindows,
  kind: string,
): void {
  holder.innerHTML = similarityHeatmapSvg(scored, { idPrefix: 'web-heatmap' });
  const w = scored.window;
  const r = scored.removalWindow;
  caption.textContent =
    kind === 'none'
      ? `Scored: ${layers(r.start, r.size)} are the most redundant (score ${r.score.toPrecision(4)}); removing them.`
      : `Scored: one ${kind} block will stand in for ${layers(w.start, w.size)} (m = ${w.size}, score ${w.score.toPrecision(4)}); plain removal would take ${layers(r.start, r.size)}. Training…`;
}

export function renderHeatmap(
  holder: HTMLElement,
  caption: HTMLElement,
  report: StreamlineReport,
): void {
  holder.innerHTML = similarityHeatmapSvg(report, { idPrefix: 'web-heatmap' });
  const w = report.window;
  const r = report.removalWindow;
  caption.textContent =
    report.replacement.kind === 'none'
      ? `Removed ${layers(r.start, r.size)} (score ${r.score.toPrecision(4)}).`
      : report.keep?.kept === 'removal'
        ? `Removed ${layers(r.start, r.size)} (score ${r.score.toPrecision(4)}): plain removal beat one ${report.replacement.kind} block in place of ${layers(w.start, w.size)} on validation.`
        : `Replaced ${layers(w.start, w.size)} (m = ${w.size}, score ${w.score.toPrecision(4)}) with one ${report.replacement.kind} block; plain removal would take ${layers(r.start, r.size)}.`;
}
