import type { LlamaForCausalLM, MultipleChoiceTask, Tokenizer } from '@llm-streamline/llm';
import type { OptionRecord } from '../options/option-spec.js';
import type { PairStorage } from '../training/pairs.js';
import type { RemovalTarget } from './layers-to-remove.js';
import type { ProgressEvent } from './progress.js';
import type { ScoredWindows } from './report.js';

/** What `keep` may say: the better of the two on validation, or one of them regardless. */
export type KeepChoice = 'best' | 'replaced' | 'removal';

/** The `keep` choices, in the order help and the web form list them. */
export const KEEP_CHOICES: readonly KeepChoice[] = ['best', 'replaced', 'removal'];

/** What `streamline()` takes. Every option left undefined takes its STREAMLINE_DEFAULTS value. */
export interface StreamlineOptions {
  model: LlamaForCausalLM;
  tokenizer: Tokenizer;
  /**
   * What runs the pipeline, for the report's `provenance` (default: `@llm-streamline/streamline`
   * with no version and no command line).
   */
  provenance?: { tool: string; version: string; command?: string[] };
  /** Where the model came from, for the report. */
  modelSource?: string;
  modelFormat?: string;
  /** Calibration text (scoring, training and validation blocks are drawn from it). */
  calibrationText: string;
  calibrationSource?: string;
  /** Held-out text for the perplexity comparison; omit to skip evaluation. */
  evaluationText?: string;
  evaluationSource?: string;
  /**
   * Score at most this many blocks of the evaluation text, spread evenly over it (default 32;
   * `Infinity` for all of them). The three perplexities are measured on the same blocks, so their
   * ratios are what the cap affects least.
   */
  evaluationBlocks?: number;
  /** Layers to remove (n), or a fraction of parameters. Default: a quarter of the layers. */
  target?: RemovalTarget;
  /** Importance metric by name (a key of METRICS: cosine, angular, bi, ppl). Default cosine. */
  metric?: string;
  /** Options the metric declares (`WindowMetric.options`), by name. */
  metricOptions?: OptionRecord;
  /** Replacement kind by name (a key of REPLACEMENTS: none, layer, ffn, linear). Default ffn. */
  replacement?: string;
  /** Options the kind declares (`ReplacementKind.options`), by name: `{ hidden: 512 }` for ffn. */
  replacementOptions?: OptionRecord;
  /**
   * Score every window size 1…L−1 (for the heat map), not only n and n + 1. Default: when the
   * metric does it in the same pass and the L hidden states of a batch it then keeps fit in 256 MiB.
   */
  scoreAllSizes?: boolean;
  /**
   * Force the window to start at layer j (0-based) instead of the most redundant one: the
   * replacement's m layers and plain removal's n layers both start there (a window found with
   * `score`, or one from a paper). Every window is still scored and reported. Checked before any
   * work: 0 ≤ j ≤ L − m.
   */
  windowStart?: number;
  /** Never choose a window that ends at the last layer. Default false. */
  excludeLastLayer?: boolean;
  blockLength?: number;
  scoringBlocks?: number;
  trainingBlocks?: number;
  validationBlocks?: number;
  /** Blocks per forward pass and per optimiser step. */
  batchSize?: number;
  microBatches?: number;
  epochs?: number;
  lr?: number;
  minLr?: number;
  weightDecay?: number;
  clipNorm?: number;
  warmupFraction?: number;
  /**
   * Optional second stage: epochs of training the replacement on the language-model loss of the
   * whole pruned model (everything else frozen), after the MSE stage. Default 0 (off); each epoch
   * costs a forward and backward pass through every layer after the window.
   */
  finetuneEpochs?: number;
  /** Peak learning rate of the second stage (cosine decay to a tenth of it). Default 1e-4. */
  finetuneLr?: number;
  /**
   * Zero-shot multiple-choice tasks (llm's `parseTaskFile`) to score the compared models on, as
   * lm-evaluation-harness does: the original, plain-removal and replaced models (only the exported
   * one with `compareBaselines: false`), each choice read with at most `blockLength` positions.
   * Default none. Every choice is encoded before any compute, so a bad item fails the run at once.
   */
  tasks?: readonly MultipleChoiceTask[];
  /** Evaluate the original and plain-removal models too (default true when evaluating). */
  compareBaselines?: boolean;
  /**
   * With `compareBaselines`, also compare the window of n layers the `ppl` metric chooses: L − n + 1
   * perplexity evaluations of the scoring blocks (free when the metric is `ppl`). Default false.
   * ShortGPT's choice is always compared: it costs at most one scoring pass.
   */
  pplBaseline?: boolean;
  seed?: number;
  /**
   * Which model is assembled and exported (default 'best'): 'best' compares the replaced model with
   * plain removal of n layers by the language-model loss of the whole model on the validation
   * blocks and keeps the lower; 'replaced' and 'removal' keep that one whatever the losses (both
   * are still measured and reported when there are validation blocks).
   */
  keep?: KeepChoice;
  /**
   * Called before any work with each warning about the settings (a training budget below
   * MIN_OPTIMISER_STEPS). Without it, warnings go to `console.warn`.
   */
  onWarning?: (message: string) => void;
  /** Where training pairs are kept between epochs (default: memory). Node passes a temporary file. */
  pairStorage?: () => Promise<PairStorage>;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Called once scoring has ended and the windows are chosen, with the report's fields that are
   * then settled (every window's score, the chosen windows, the metric, the model): enough to draw
   * the heat map long before the run ends.
   */
  onScored?: (scored: ScoredWindows) => void;
}
