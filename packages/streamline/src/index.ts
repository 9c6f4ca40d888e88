/**
 * @llm-streamline/streamline — LLM-Streamline (Chen, Hu, Zhang; ICLR 2025): score windows of layers
 * by how little they change the hidden state, remove the most redundant one, train a lightweight
 * replacement to stand in for it, evaluate, and export an ordinary checkpoint.
 */

export type { CalibrationOptions, CalibrationSplits } from './calibration/calibration-data.js';
export { prepareCalibration } from './calibration/calibration-data.js';
export { seededRandom, shuffled } from './calibration/seeded-random.js';
export type { SaveStreamlinedOptions } from './export/save-streamlined.js';
export { saveStreamlined } from './export/save-streamlined.js';
export { TOKENIZER_FILES } from './export/tokenizer-files.js';
export { sumOverWindows } from './metrics/hidden-state-walk.js';
export type { MetricContext, WindowMetric } from './metrics/index.js';
export {
  angularMetric,
  blockInfluenceMetric,
  cosineMetric,
  METRICS,
  metricByName,
  perplexityMetric,
} from './metrics/index.js';
export type { WindowChoice } from './metrics/select-window.js';
export { selectWindow } from './metrics/select-window.js';
export { rowDot, tokenCosine, unitRows } from './metrics/token-cosine.js';
export type { RemovalTarget } from './pipeline/layers-to-remove.js';
export { layersToRemove } from './pipeline/layers-to-remove.js';
export type { ProgressEvent, Stage } from './pipeline/progress.js';
export { ProgressClock } from './pipeline/progress.js';
export type { StreamlineReport } from './pipeline/report.js';
export type { StreamlineOptions, StreamlineResult } from './pipeline/streamline.js';
export { STREAMLINE_DEFAULTS, streamline } from './pipeline/streamline.js';
export type { ReplacementContext, ReplacementKind } from './replacements/index.js';
export {
  choleskySolve,
  FfnBlock,
  ffnReplacement,
  fitLeastSquares,
  LinearBlock,
  layerReplacement,
  linearReplacement,
  noReplacement,
  REPLACEMENTS,
  replacementByName,
} from './replacements/index.js';
export { lmObjective } from './training/lm-objective.js';
export type { PairSplit, TrainingObjective } from './training/objective.js';
export { mseObjective } from './training/objective.js';
export type { PairBatch, PairSource, PairStorage } from './training/pairs.js';
export {
  batchesOf,
  computePair,
  MemoryPairStorage,
  RecomputedPairs,
  StoredPairs,
} from './training/pairs.js';
export type { TrainOptions, TrainResult } from './training/train-replacement.js';
export { trainReplacement, validationLoss } from './training/train-replacement.js';
