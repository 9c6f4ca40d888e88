/**
 * One LLM-Streamline run from the UI's settings: the same `streamline()` the CLI calls, with the
 * evaluation text cut to the requested number of blocks (a browser on a CPU adapter cannot afford a
 * whole held-out set) and cancellation through an AbortSignal.
 */
import { type MultipleChoiceTask, splitDocuments, type Tokenizer } from '@llm-streamline/llm';
import {
  type ProgressEvent,
  type StreamlineOptions,
  type StreamlineResult,
  streamline,
} from '@llm-streamline/streamline';
import pkg from '../package.json' with { type: 'json' };
import type { ReadyModel } from './model-loader.js';
import type { RunSettings } from './settings.js';

export interface RunInputs {
  ready: ReadyModel;
  settings: RunSettings;
  calibrationText: string;
  calibrationSource: string;
  /** Omitted: no perplexity comparison. */
  evaluationText?: string;
  evaluationSource?: string;
  /** Multiple-choice tasks to score the compared models on; none: no task accuracy. */
  tasks?: readonly MultipleChoiceTask[];
  signal: AbortSignal;
  onProgress: (event: ProgressEvent) => void;
  /** Warnings about the settings, before any work (a training budget below the minimum). */
  onWarning?: (message: string) => void;
  /** Every window's score and the chosen windows, as soon as scoring ends. */
  onScored?: StreamlineOptions['onScored'];
}

/** Runs the pipeline; the model in `ready` is pruned in place (streamline's contract). */
export function runPipeline(inputs: RunInputs): Promise<StreamlineResult> {
  const { ready, settings: s } = inputs;
  const { blockLength, evaluationBlocks } = s.options;
  const evaluationText =
    inputs.evaluationText === undefined
      ? undefined
      : firstBlocksOf(inputs.evaluationText, ready.tokenizer, blockLength, evaluationBlocks);
  return streamline({
    model: ready.model,
    tokenizer: ready.tokenizer,
    modelSource: ready.source,
    modelFormat: ready.format,
    calibrationText: inputs.calibrationText,
    calibrationSource: inputs.calibrationSource,
    evaluationText,
    evaluationSource:
      inputs.evaluationSource && `${inputs.evaluationSource} (first ${evaluationBlocks} blocks)`,
    target: { layers: s.layers },
    ...s.options,
    // The text is already cut to its first blocks; evaluate all of them (a second cap would spread
    // the blocks over that cut and drop some).
    evaluationBlocks: Number.POSITIVE_INFINITY,
    tasks: inputs.tasks,
    metricOptions: s.metricOptions,
    replacementOptions: s.replacementOptions,
    signal: inputs.signal,
    onProgress: inputs.onProgress,
    onWarning: inputs.onWarning,
    onScored: inputs.onScored,
    provenance: { tool: '@llm-streamline/web', version: pkg.version },
  });
}

/**
 * The leading documents of `text` that pack into at least `blocks` blocks of `blockLength` tokens
 * (packBlocks encodes each blank-line-separated document as [BOS] + ids and concatenates them), so
 * evaluation scores the first `blocks` blocks, or all of them when the text is shorter.
 */
export function firstBlocksOf(
  text: string,
  tokenizer: Tokenizer,
  blockLength: number,
  blocks: number,
): string {
  const kept: string[] = [];
  let tokens = 0;
  for (const doc of splitDocuments(text)) {
    if (tokens >= blocks * blockLength) break;
    kept.push(doc);
    tokens += tokenizer.encode(doc, { bos: true, eos: false }).length;
  }
  return kept.join('\n\n');
}
