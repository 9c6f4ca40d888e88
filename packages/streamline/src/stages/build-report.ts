/**
 * The run's record, `streamline.json`: what was asked (model, calibration, metric, kind,
 * hyperparameters, seed), what each step found (scores, windows, losses, perplexities) and what it
 * cost (seconds per stage). Everything needed to reproduce and judge the run.
 */
import type { CalibrationSplits } from '../calibration/calibration-data.js';
import type { WindowChoice } from '../metrics/select-window.js';
import { PIPELINE_OPTIONS } from '../options/pipeline-options.js';
import type { ResolvedOptions } from '../pipeline/defaults.js';
import type { KeepDecision } from '../pipeline/keep-decision.js';
import type { ScoredWindows, StreamlineReport } from '../pipeline/report.js';
import type { Assembly } from './assemble.js';
import type { ChosenWindows } from './choose-window.js';
import type { FittedReplacement } from './fit-replacement.js';
import type { RemovalPlan } from './plan-removal.js';
import type { WindowScores } from './score-windows.js';

/** What the stages found, gathered for the report. */
export interface RunFindings {
  original: { layers: number; parameters: number };
  plan: RemovalPlan;
  splits: CalibrationSplits;
  scores: WindowScores;
  windows: ChosenWindows;
  fitted: FittedReplacement;
  perplexity: StreamlineReport['perplexity'];
  tasks?: StreamlineReport['tasks'];
  keep: KeepDecision;
  baselines?: StreamlineReport['baselines'];
  assembly: Assembly;
  timings: Record<string, number>;
}

/** The report's fields that scoring and the window choice settle (see `onScored`). */
export function scoredWindows(
  o: ResolvedOptions,
  f: Pick<RunFindings, 'original' | 'plan' | 'scores' | 'windows'>,
): ScoredWindows {
  const { plan } = f;
  return {
    model: {
      source: o.modelSource ?? 'model',
      format: o.modelFormat ?? 'unknown',
      ...f.original,
    },
    metric: {
      name: plan.metric.name,
      description: plan.metric.description,
      higherIsRedundant: plan.metric.higherIsRedundant,
      ...(Object.keys(plan.metricOptions).length ? { options: plan.metricOptions } : {}),
    },
    scores: Object.fromEntries([...f.scores].map(([size, s]) => [String(size), s])),
    layersRemoved: plan.n,
    // The replacement's window (m layers) even when plain removal was kept: `keep` says which left.
    window: windowRecord(f.windows.window),
    removalWindow: windowRecord(f.windows.removalWindow),
  };
}

export function buildReport(o: ResolvedOptions, f: RunFindings): StreamlineReport {
  const { plan, splits, fitted } = f;
  const scored = scoredWindows(o, f);
  return {
    version: 3,
    provenance: {
      ...(o.provenance ?? { tool: '@llm-streamline/streamline', version: 'unknown' }),
      createdAt: new Date().toISOString(),
    },
    model: scored.model,
    calibration: {
      source: o.calibrationSource ?? 'calibration text',
      blockLength: o.blockLength,
      scoringBlocks: splits.scoring.length,
      trainingBlocks: splits.training.length,
      validationBlocks: splits.validation.length,
    },
    metric: scored.metric,
    scores: scored.scores,
    layersRemoved: scored.layersRemoved,
    removedLayers: f.assembly.removedLayers,
    ...(f.assembly.replacementLayer !== undefined
      ? { replacementLayer: f.assembly.replacementLayer }
      : {}),
    window: scored.window,
    removalWindow: scored.removalWindow,
    replacement: {
      kind: plan.kind.name,
      description: plan.kind.description,
      parameters: fitted.replacement?.parameterCount() ?? 0,
      options: plan.kindOptions,
      export: f.assembly.export,
    },
    hyperparameters: byFlag({
      batchSize: o.batchSize,
      microBatches: o.microBatches,
      epochs: o.epochs,
      lr: o.lr,
      minLr: o.minLr,
      weightDecay: o.weightDecay,
      clipNorm: o.clipNorm,
      warmupFraction: o.warmupFraction,
      excludeLastLayer: o.excludeLastLayer,
      ...(o.finetuneEpochs > 0
        ? { finetuneEpochs: o.finetuneEpochs, finetuneLr: o.finetuneLr }
        : {}),
      ...(o.windowStart !== undefined ? { windowStart: o.windowStart } : {}),
    }),
    seed: o.seed,
    training: fitted.training,
    finetune: fitted.finetune,
    perplexity: f.perplexity,
    ...(f.tasks ? { tasks: f.tasks } : {}),
    keep: f.keep,
    ...(f.baselines ? { baselines: f.baselines } : {}),
    secondsPerStage: f.timings,
    ...memoryRecord(o.model),
    result: { layers: o.model.layers.length, parameters: o.model.parameterCount() },
  };
}

/** Options keyed by their command-line flags (`batchSize` → `batch`), as users write them. */
function byFlag(
  values: Record<string, number | string | boolean>,
): Record<string, number | string | boolean> {
  const flags = new Map<string, string>(PIPELINE_OPTIONS.map((s) => [s.name, s.flag]));
  flags.set('windowStart', 'window-start'); // prune's own flag: no general option declares it
  return Object.fromEntries(
    Object.entries(values).map(([name, v]) => {
      const flag = flags.get(name);
      if (flag === undefined) throw new Error(`build-report: no flag for the option ${name}`);
      return [flag, v];
    }),
  );
}

function memoryRecord(model: ResolvedOptions['model']): Pick<StreamlineReport, 'memory'> {
  const plan = model.memoryPlan;
  if (!plan) return {};
  const stream = model.weightStream;
  return { memory: { ...plan.record(), ...(stream ? { stream: { ...stream.stats } } : {}) } };
}

function windowRecord(w: WindowChoice): { start: number; size: number; score: number } {
  return { start: w.start, size: w.size, score: w.score };
}
