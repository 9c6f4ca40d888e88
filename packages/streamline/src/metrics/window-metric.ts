import type { LlamaForCausalLM } from '@llm-streamline/llm';
import type { OptionSpec } from '../options/option-spec.js';

/** What every metric is given. */
export interface MetricContext {
  model: LlamaForCausalLM;
  /** Scoring blocks (token ids, each starting with BOS). */
  blocks: readonly number[][];
  /** Blocks per forward pass. */
  batchSize: number;
  /** Called with (blocksDone, totalBlocks). */
  onProgress?: (done: number, total: number) => void;
  /** Cancellation: throw when aborted. */
  signal?: AbortSignal;
  /** Values of the options the metric declares, checked and with defaults filled in. */
  options?: Readonly<Record<string, number | string | boolean>>;
}

/**
 * A way to score how redundant each window of m consecutive layers is. Implement one in one file
 * and register it (metrics/index.ts, or `registerMetric`); the pipeline, CLI and web app pick it up
 * by name, and offer the options it declares as flags and form fields.
 */
export interface WindowMetric {
  /** Name used on the command line and in streamline.json. */
  readonly name: string;
  /** One line for help texts and reports. */
  readonly description: string;
  /** A few words for the web form's choice list (default: the description). */
  readonly label?: string;
  /** The metric's own options, if it has any (given to `score` as `context.options`). */
  readonly options?: readonly OptionSpec[];
  /** True when a higher score means a more redundant (more removable) window. */
  readonly higherIsRedundant: boolean;
  /**
   * True when scoring more window sizes costs no extra forward pass (metrics computed from hidden
   * states along one walk through the layers). The pipeline then scores every size 1…L−1, which
   * the reports draw as a heat map; otherwise it scores only the sizes it needs.
   */
  readonly allSizesInOnePass: boolean;
  /**
   * Scores of every window for each size m in `windowSizes`: entry `j` of `scores.get(m)` is the
   * window of layers j…j+m−1, for j = 0…L−m.
   */
  score(context: MetricContext, windowSizes: readonly number[]): Promise<Map<number, number[]>>;
}
