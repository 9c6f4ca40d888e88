/**
 * One press of "Prune": load the chosen model fresh, generate from the original, run the pipeline
 * with live progress and loss, then show the heat map, perplexities and the pruned model's
 * generation, and prepare the downloads. Every step honours the Cancel button's AbortSignal.
 */
import type { DeviceMemoryBudget, MultipleChoiceTask } from '@llm-streamline/llm';
import { tasksSection } from '@llm-streamline/report';
import type { StreamlineReport, StreamlineResult } from '@llm-streamline/streamline';
import { checkpointFiles } from './downloads.js';
import { streamGeneration } from './generation.js';
import type { ModelInput } from './model-input.js';
import { loadModelInput, type ReadyModel } from './model-loader.js';
import { runPipeline } from './pipeline-runner.js';
import type { RunSettings } from './settings.js';
import { checkSettingsAgainst } from './settings-check.js';
import type { BufferLimits } from './size-check.js';
import type { ChosenText } from './text-picker.js';
import { renderDownloadList } from './ui/download-list.js';
import { renderHeatmap, renderScoredHeatmap } from './ui/heatmap-view.js';
import { renderPerplexity } from './ui/perplexity-view.js';
import type { Views } from './views.js';

export interface RunRequest {
  input: ModelInput;
  limits: BufferLimits;
  settings: RunSettings;
  calibration: ChosenText;
  evaluation?: ChosenText;
  /** Multiple-choice tasks, already parsed (a bad file stops the run before it starts). */
  tasks?: readonly MultipleChoiceTask[];
  /**
   * The device memory budget the model is loaded under (the field's value, or the device's
   * default); undefined: none. The pipeline's batches are what its working set is planned for.
   */
  deviceMemory: number | undefined;
  signal: AbortSignal;
}

export interface RunOutcome {
  ready: ReadyModel;
  result: StreamlineResult;
  files: Map<string, Uint8Array>;
}

export async function runSession(req: RunRequest, v: Views): Promise<RunOutcome> {
  const { settings: s, signal } = req;
  v.progress.set(0, `Loading ${req.input.name}…`);
  const ready = await loadModelInput(req.input, req.limits, {
    onProgress: (done, total) =>
      v.progress.set(done / total, `Loading ${req.input.name}: tensor ${done} of ${total}`),
    deviceMemory: memoryBudget(req.deviceMemory, s),
  });
  // The same prompt and settings for both models, so the two texts compare.
  const generateInto = (out: HTMLElement) =>
    streamGeneration(
      {
        model: ready.model,
        tokenizer: ready.tokenizer,
        prompt: s.prompt,
        newTokens: s.newTokens,
        signal,
      },
      out,
    );
  try {
    signal.throwIfAborted();
    checkSettingsAgainst(ready.model, s);
    // The pipeline prunes in place, so the original speaks first.
    v.progress.set(undefined, 'Generating with the original model…');
    await generateInto(v.originalText);
    signal.throwIfAborted();
    const warnings: string[] = [];
    const result = await runPipeline({
      ready,
      settings: s,
      calibrationText: req.calibration.text,
      calibrationSource: req.calibration.source,
      evaluationText: req.evaluation?.text,
      evaluationSource: req.evaluation?.source,
      tasks: req.tasks,
      signal,
      onProgress: (event) => {
        v.progress.update(event);
        v.loss.onProgress(event, s.options.epochs);
      },
      // The heat map as soon as the windows are scored, long before the run ends.
      onScored: (scored) =>
        renderScoredHeatmap(v.heatmap, v.windowText, scored, s.options.replacement),
      onWarning: (w) => {
        warnings.push(`Warning: ${w}`);
        v.downloadNote.textContent = warnings.join(' ');
      },
    });
    renderHeatmap(v.heatmap, v.windowText, result.report);
    v.loss.showReport(result.report.training);
    renderPerplexity(v.perplexity, v.perplexityText, result.report);
    if (result.report.tasks) v.tasks.innerHTML = tasksSection(result.report);
    v.progress.set(undefined, 'Generating with the pruned model…');
    await generateInto(v.prunedText);
    v.progress.set(undefined, 'Writing the checkpoint files…');
    const { files } = await checkpointFiles(result, ready.tokenizerFiles);
    renderDownloadList(v.downloadList, files);
    const exported = result.report.replacement.export;
    v.downloadNote.textContent = [
      exported.as === 'not-exportable'
        ? `This replacement cannot be written as a LLaMA layer (${exported.reason}); only the report is offered.`
        : '',
      ready.tokenizerNote ?? '',
      keptNote(result.report.keep),
      ...warnings,
    ]
      .filter(Boolean)
      .join(' ');
    const r = result.report;
    v.progress.set(
      1,
      `Done: ${r.model.layers} → ${r.result.layers} layers, ${r.model.parameters.toLocaleString('en')} → ${r.result.parameters.toLocaleString('en')} parameters.`,
    );
    return { ready, result, files };
  } catch (e) {
    ready.model.dispose();
    throw e;
  }
}

/** Which model the download holds and why, and what to change when the replacement lost. */
function keptNote(keep: StreamlineReport['keep']): string {
  if (!keep) return '';
  const kept = keep.kept === 'replaced' ? 'the replaced model' : 'plain removal';
  return `Kept ${kept}: ${keep.reason}.${keep.advice ? ` To do better: ${keep.advice}.` : ''}`;
}

/** The budget `budgetBytes` for the batches the pipeline will run; undefined without one. */
export function memoryBudget(
  budgetBytes: number | undefined,
  s: RunSettings,
): DeviceMemoryBudget | undefined {
  if (budgetBytes === undefined) return undefined;
  return { budgetBytes, batchSize: s.options.batchSize, blockLength: s.options.blockLength };
}
