import { type OutputSink, type SaveOptions, saveHfModel } from '@llm-streamline/llm';
import type { StreamlineReport } from '../pipeline/report.js';
import type { StreamlineResult } from '../pipeline/streamline.js';

export interface SaveStreamlinedOptions extends SaveOptions {
  /**
   * Renders the final report as one page, written as `report.html` before `streamline.json`:
   * `renderReportHtml` from `@llm-streamline/report`, which the CLI and the web app pass. Without
   * it, no `report.html` is written.
   */
  renderReport?: (report: StreamlineReport) => string;
}

/**
 * Writes a run's result: the pruned model as a standard Hugging Face LLaMA checkpoint (when its
 * replacement can be written as a decoder layer), then `report.html` (when `renderReport` is given)
 * and `streamline.json` beside it. The seconds spent writing the checkpoint are added to the
 * report's timings as `export` before either report file is rendered. The JSON is written last, so
 * its presence marks a complete output.
 */
export async function saveStreamlined(
  result: StreamlineResult,
  sink: OutputSink,
  { renderReport, ...options }: SaveStreamlinedOptions = {},
): Promise<{ checkpoint: boolean }> {
  const exportable = result.report.replacement.export.as !== 'not-exportable';
  const t0 = performance.now();
  if (exportable) await saveHfModel(result.model, sink, options);
  else for (const [name, bytes] of options.extraFiles ?? []) await sink.writeFile(name, [bytes]);
  result.report.secondsPerStage.export = (performance.now() - t0) / 1000;
  const encoder = new TextEncoder();
  if (renderReport)
    await sink.writeFile('report.html', [encoder.encode(renderReport(result.report))]);
  await sink.writeFile('streamline.json', [
    encoder.encode(`${JSON.stringify(result.report, null, 2)}\n`),
  ]);
  return { checkpoint: exportable };
}
