/**
 * @llm-streamline/streamline — LLM-Streamline (Chen, Hu, Zhang; ICLR 2025): score windows of layers
 * by how little they change the hidden state, remove the most redundant one, train a lightweight
 * replacement to stand in for it, evaluate, and export an ordinary checkpoint.
 */

export { shortGptLayers } from './baselines/short-gpt.js';
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
  biMetric,
  cosineMetric,
  METRICS,
  metricByName,
  pplMetric,
  registerMetric,
} from './metrics/index.js';
export type { WindowChoice } from './metrics/select-window.js';
export { selectWindow } from './metrics/select-window.js';
export { rowDot, tokenCosine, unitRows } from './metrics/token-cosine.js';
// Every option-declaration type (OptionSpec and its variants, OptionValues, OptionRecord).
export type * from './options/option-spec.js';
export { expectedValue, isValidValue, resolveOptions } from './options/option-spec.js';
export type { PipelineOptionSpec } from './options/pipeline-options.js';
export { PIPELINE_OPTIONS } from './options/pipeline-options.js';
export type { BaselineRecord } from './pipeline/baseline-record.js';
export type { ResolvedOptions, StreamlineDefaults } from './pipeline/defaults.js';
export {
  defaultTarget,
  MIN_OPTIMISER_STEPS,
  STREAMLINE_DEFAULTS,
  withDefaults,
} from './pipeline/defaults.js';
export type { KeepDecision } from './pipeline/keep-decision.js';
export type { RemovalTarget } from './pipeline/layers-to-remove.js';
export { layersToRemove } from './pipeline/layers-to-remove.js';
export type { KeepChoice, StreamlineOptions } from './pipeline/options.js';
export { KEEP_CHOICES } from './pipeline/options.js';
export type { ProgressEvent, Stage } from './pipeline/progress.js';
export { ProgressClock } from './pipeline/progress.js';
export type { ExportResult, ScoredWindows, StreamlineReport } from './pipeline/report.js';
export type { StreamlineResult } from './pipeline/streamline.js';
export { streamline } from './pipeline/streamline.js';
export type {
  AccuracyByModel,
  ModelAccuracy,
  TaskRecord,
  TaskReport,
  VariantName,
} from './pipeline/task-record.js';
export { summariseTasks } from './pipeline/task-record.js';
export type { BudgetSettings } from './pipeline/training-budget.js';
export { budgetWarnings, trainingSteps } from './pipeline/training-budget.js';
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
  registerReplacement,
  replacementByName,
} from './replacements/index.js';
export type { RemovalPlan } from './stages/plan-removal.js';
export { planRemoval, WindowStartError } from './stages/plan-removal.js';
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
