import { type OutputSink, saveHfModel, type SaveOptions } from '@llm-streamline/llm';
import type { StreamlineResult } from '../pipeline/streamline.js';

/**
 * Writes a run's result: the pruned model as a standard Hugging Face LLaMA checkpoint (when its
 * replacement can be written as a decoder layer) and `streamline.json` beside it. The JSON is
 * written last, so its presence marks a complete output.
 */
export async function saveStreamlined(result: StreamlineResult, sink: OutputSink, options: SaveOptions = {}): Promise<{ checkpoint: boolean }> {
  const exportable = !result.report.replacement.exportedAs.startsWith('not exportable');
  if (exportable) await saveHfModel(result.model, sink, options);
  else for (const [name, bytes] of options.extraFiles ?? []) await sink.writeFile(name, [bytes]);
  await sink.writeFile('streamline.json', [new TextEncoder().encode(`${JSON.stringify(result.report, null, 2)}\n`)]);
  return { checkpoint: exportable };
}
