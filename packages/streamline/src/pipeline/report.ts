/** What `streamline.json` records about a run (everything needed to reproduce and judge it). */
export interface StreamlineReport {
  /** Format version of this file. */
  version: 1;
  model: { source: string; format: string; layers: number; parameters: number };
  calibration: {
    source: string;
    blockLength: number;
    scoringBlocks: number;
    trainingBlocks: number;
    validationBlocks: number;
  };
  metric: { name: string; description: string; higherIsRedundant: boolean };
  /** Every window's score, by window size m, index j = first layer. */
  scores: Record<string, number[]>;
  /** n: layers removed net; m: layers in the replaced window. */
  layersRemoved: number;
  window: { start: number; size: number; score: number };
  /** The window plain removal would take (size n), for the `none` comparison. */
  removalWindow: { start: number; size: number; score: number };
  replacement: { kind: string; description: string; parameters: number; exportedAs: string };
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
  /** Seconds spent per stage. */
  timings: Record<string, number>;
  result: { layers: number; parameters: number };
}
