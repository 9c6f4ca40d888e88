/**
 * @llm-streamline/report — a run's report (`streamline.json`, the StreamlineReport of
 * @llm-streamline/streamline) drawn as SVG charts and as one self-contained HTML page. Pure
 * functions of the report: no GPU, no `node:` imports, the same bytes in Node and in browsers.
 */

export type { SvgOptions } from './chart-kit.js';
export type { HeatmapInput } from './heatmap-svg.js';
export { similarityHeatmapSvg } from './heatmap-svg.js';
export type { LossCurvesInput, LossCurvesOptions } from './loss-curves-svg.js';
export { lossCurvesSvg } from './loss-curves-svg.js';
export type { MemoryPeaksOptions, MemoryRecord, StagePeakEntry } from './memory-peaks-svg.js';
export { memoryPeaksSvg, stagePeakEntries } from './memory-peaks-svg.js';
export type { UploadFigures } from './memory-section.js';
export { uploadFigures } from './memory-section.js';
export type { PerplexityBarsOptions, PerplexityEntry } from './perplexity-bars-svg.js';
export { perplexityBarsSvg, perplexityEntries } from './perplexity-bars-svg.js';
export type { ReportHtmlOptions } from './report-html.js';
export { renderReportHtml } from './report-html.js';
export { tasksSection } from './tasks-section.js';
