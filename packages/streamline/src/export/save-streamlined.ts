import { type OutputSink, type SaveOptions, saveHfModel } from '@llm-streamline/llm';
import type { StreamlineResult } from '../pipeline/streamline.js';
import { renderReportHtml } from '../report/report-html.js';

/**
 * Writes a run's result: the pruned model as a standard Hugging Face LLaMA checkpoint (when its
 * replacement can be written as a decoder layer), then `report.html` (the run report: charts and
 * tables, one self-contained page, see renderReportHtml) and `streamline.json` beside it. The
 * seconds spent writing the checkpoint are added to the report's timings as `export` before either
 * report file is rendered. The JSON is written last, so its presence marks a complete output.
 */
export async function saveStreamlined(
  result: StreamlineResult,
  sink: OutputSink,
  options: SaveOptions = {},
): Promise<{ checkpoint: boolean }> {
  const exportable = result.report.replacement.export.as !== 'not-exportable';
  const t0 = performance.now();
  if (exportable) await saveHfModel(result.model, sink, options);
  else for (const [name, bytes] of options.extraFiles ?? []) await sink.writeFile(name, [bytes]);
  result.report.timings.export = (performance.now() - t0) / 1000;
  const encoder = new TextEncoder();
  await sink.writeFile('report.html', [encoder.encode(renderReportHtml(result.report))]);
  await sink.writeFile('streamline.json', [
    encoder.encode(`${JSON.stringify(result.report, null, 2)}\n`),
  ]);
  return { checkpoint: exportable };
}
