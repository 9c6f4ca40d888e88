import { type OutputSink, type SaveOptions, saveHfModel } from '@llm-streamline/llm';
import type { StreamlineResult } from '../pipeline/streamline.js';

/**
 * Writes a run's result: the pruned model as a standard Hugging Face LLaMA checkpoint (when its
 * replacement can be written as a decoder layer) and `streamline.json` beside it. The JSON is
 * written last, so its presence marks a complete output; the seconds spent writing the checkpoint
 * are added to the report's timings as `export` before it is written.
 */
export async function saveStreamlined(
  result: StreamlineResult,
  sink: OutputSink,
  options: SaveOptions = {},
): Promise<{ checkpoint: boolean }> {
  const exportable = !result.report.replacement.exportedAs.startsWith('not exportable');
  const t0 = performance.now();
  if (exportable) await saveHfModel(result.model, sink, options);
  else for (const [name, bytes] of options.extraFiles ?? []) await sink.writeFile(name, [bytes]);
  result.report.timings.export = (performance.now() - t0) / 1000;
  await sink.writeFile('streamline.json', [
    new TextEncoder().encode(`${JSON.stringify(result.report, null, 2)}\n`),
  ]);
  return { checkpoint: exportable };
}
