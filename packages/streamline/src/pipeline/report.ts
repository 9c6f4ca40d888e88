import type { MemoryPlanRecord, StreamStats } from '@llm-streamline/llm';
import type { BaselineRecord } from './baseline-record.js';
import type { KeepDecision } from './keep-decision.js';
import type { TaskReport } from './task-record.js';
/**
 * How the pruned model is written as an ordinary checkpoint: its replacement as a LLaMA decoder
 * layer, the window simply removed (plain removal), or not at all, with the reason.
 */
export type ExportResult =
  | { as: 'llama-layer' }
  | { as: 'removed' }
  | { as: 'not-exportable'; reason: string };

/** What `streamline.json` records about a run (everything needed to reproduce and judge it). */
export interface StreamlineReport {
  /**
   * Format version of this file (the JSON Schema in `schema/streamline.schema.json` describes it).
   * 3: `provenance`, `removedLayers` and `replacementLayer` were added; `timings` became
   * `secondsPerStage`; `hyperparameters` are keyed by their command-line flags (`batch`, not
   * `batchSize`). 2: `replacement.export` (a typed result) replaced the `replacement.exportedAs`
   * sentence; the kind's options moved from `hyperparameters` to `replacement.options`, and
   * `metric.options` was added.
   */
  version: 3;
  /** What wrote the file, how it was asked to, and when. */
  provenance: {
    /** The program that ran the pipeline (`llm-streamline`, the web app, or the API's caller). */
    tool: string;
    /** Its version. */
    version: string;
    /** The command line, as its arguments (absent outside a command line). */
    command?: string[];
    /** ISO 8601, UTC, when the report was built. */
    createdAt: string;
  };
  model: { source: string; format: string; layers: number; parameters: number };
  calibration: {
    source: string;
    blockLength: number;
    scoringBlocks: number;
    trainingBlocks: number;
    validationBlocks: number;
  };
  metric: {
    name: string;
    description: string;
    higherIsRedundant: boolean;
    /** The metric's own options, as used; absent when it has none (the built-in metrics). */
    options?: Record<string, number | string | boolean>;
  };
  /** Every window's score, by window size m, index j = first layer. */
  scores: Record<string, number[]>;
  /** n: layers removed net (the replaced window has m = n + 1 layers; see `removedLayers`). */
  layersRemoved: number;
  /** The original model's layers that left, in order: the replaced window's m, or plain removal's n. */
  removedLayers: number[];
  /** Where the replacement sits in the pruned model; absent when the layers were simply removed. */
  replacementLayer?: number;
  /**
   * The window the replacement stands in for (m layers; n for plain removal). When `keep` kept
   * plain removal, `removalWindow` is the one that left.
   */
  window: { start: number; size: number; score: number };
  /** The window plain removal would take (size n), for the `none` comparison. */
  removalWindow: { start: number; size: number; score: number };
  replacement: {
    kind: string;
    description: string;
    parameters: number;
    /** The kind's own options, as used (defaults filled in). */
    options: Record<string, number | string | boolean>;
    export: ExportResult;
  };
  /** The run's settings, keyed by their command-line flags (`batch`, `min-lr`, `window-start`). */
  hyperparameters: Record<string, number | string | boolean>;
  seed: number;
  training?: {
    stepLoss: number[];
    epochLoss: number[];
    validationLoss: number[];
    bestEpoch: number;
    stopped?: string;
  };
  /**
   * The optional second stage (language-model loss of the whole pruned model, next-token
   * cross-entropy in nats): losses per step, validation loss before and after each epoch.
   */
  finetune?: {
    stepLoss: number[];
    epochLoss: number[];
    validationLoss: number[];
    bestEpoch: number;
    stopped?: string;
  };
  /** Perplexities on the evaluation text (absent when evaluation was skipped). */
  perplexity?: {
    source: string;
    blocks: number;
    original?: number;
    none?: number;
    replaced?: number;
  };
  /**
   * Zero-shot multiple-choice accuracy of the same models, per task, averaged, and retained by the
   * pruned ones (absent without tasks).
   */
  tasks?: TaskReport;
  /**
   * Which model was exported, the replaced one or plain removal of n layers, and why: both
   * validation losses, the `keep` option, and what to change when the replacement lost. Absent in
   * files written before issue 16.
   */
  keep?: KeepDecision;
  /** Other methods' choice of the same n layers, with their perplexities (absent with `compareBaselines: false`). */
  baselines?: BaselineRecord[];
  /** Seconds spent per stage. */
  secondsPerStage: Record<string, number>;
  /**
   * The device memory plan, when the model was loaded with a budget: resident or streamed, the
   * planned and measured peak bytes per stage, and, streamed, what streaming cost.
   */
  memory?: MemoryPlanRecord & { stream?: StreamStats };
  result: { layers: number; parameters: number };
}

/** What is known once the windows are chosen: the heat map's input, as the report records it. */
export type ScoredWindows = Pick<
  StreamlineReport,
  'model' | 'metric' | 'scores' | 'layersRemoved' | 'window' | 'removalWindow'
>;
