/**
 * `score MODEL`: steps 1–3 of the method without changing anything: the redundancy score of every
 * window of the sizes the removal implies (m = n + 1 for a replacement, n for plain removal), the
 * window each would choose, and a strip of cos(h_l, h_{l+1}) per layer.
 */

import { measureStage } from '@llm-streamline/llm';
import {
  cosineMetric,
  prepareCalibration,
  selectWindow,
  type WindowMetric,
  withDefaults,
} from '@llm-streamline/streamline';
import { scoringFlags, scoringOptions } from '../args/pipeline-flags.js';
import type { CommandSpec } from '../args/spec.js';
import { BUNDLED } from '../bundled.js';
import { openDevice } from '../device.js';
import { resolveModelArg } from '../hub/model-arg.js';
import { colorEnabled } from '../io.js';
import { loadModel } from '../model-input.js';
import { memoryLine, memoryRecord } from '../output/memory-line.js';
import { similarityStrip } from '../output/similarity-strip.js';
import { formatTable } from '../output/table.js';
import { readTextFile } from '../text-input.js';
import { type Command, start } from './command.js';
import { removalPlanOrUsageError } from './removal-plan.js';

export const spec: CommandSpec = {
  name: 'score',
  summary: 'score every window of layers and show which one would be removed',
  description:
    'Runs the importance metric over calibration blocks (drawn as `prune` draws them with the same ' +
    'flags) and prints, for each window size, every window with its score and rank, the chosen ' +
    'one marked, then a per-layer strip of cos(h_l, h_{l+1}). Without --replacement, both sizes are ' +
    'shown: n + 1 (replaced by one module) and n (plain removal).',
  positionals: [
    {
      name: 'MODEL',
      optional: true,
      description: 'model to score (default: bundled tinystories-12L)',
    },
  ],
  // Generated from the registries when asked for (see prune's spec).
  get flags() {
    return scoringFlags();
  },
  examples: [
    {
      what: 'the bundled model and text, default n (a quarter of the layers)',
      command: 'llm-streamline score',
    },
    {
      what: 'two layers, angular distance, own text',
      command: 'llm-streamline score model-folder --data my.txt --layers 2 --metric angular',
    },
    {
      what: 'as JSON, quick (16 blocks of 128 tokens)',
      command: 'llm-streamline score --scoring-blocks 16 --block-length 128 --json',
    },
  ],
};

/** One window size's scores and choice. */
export interface WindowTable {
  size: number;
  /** What this size is for: the replaced window (n + 1) or plain removal (n). */
  use: 'replacement' | 'removal';
  scores: number[];
  chosen: { start: number; size: number; score: number };
}

export const run: Command['run'] = async (argv, io) => {
  const started = start(spec, argv, io);
  if (!started) return undefined;
  const { args, reporter } = started;
  const {
    dataPath: dataFlag,
    tokenizerPath,
    weightsDtype,
    deviceMemory,
    checkFinite,
    ...given
  } = scoringOptions(args.values);
  const o = withDefaults(given);
  const path = await resolveModelArg(args.positionals[0], io, reporter);
  const dataPath = dataFlag ?? BUNDLED.calibrationText;
  const text = await readTextFile(dataPath, '--data');

  await openDevice();
  const { model, tokenizer } = await loadModel(path, {
    tokenizerPath,
    weightsDtype,
    deviceMemory,
    checkFinite,
    batch: o,
    reporter,
  });
  try {
    const L = model.layers.length;
    // Without --replacement, n as prune's default kind (a window of n + 1) would remove it.
    const plan = removalPlanOrUsageError(model, o);
    const { n, metric } = plan;
    const kind = given.replacement === undefined ? undefined : plan.kind;
    const tables: { size: number; use: WindowTable['use'] }[] = kind
      ? [{ size: kind.windowSize(n), use: kind.windowSize(n) === n ? 'removal' : 'replacement' }]
      : [
          { size: n + 1, use: 'replacement' },
          { size: n, use: 'removal' },
        ];
    // The draw prune makes: validation blocks first (only for a trained replacement), then scoring.
    const trained = (kind?.fit ?? 'train') === 'train';
    const splits = prepareCalibration(text, tokenizer, {
      blockLength: o.blockLength,
      scoringBlocks: o.scoringBlocks,
      trainingBlocks: 0,
      validationBlocks: trained ? o.validationBlocks : 0,
      seed: o.seed,
      source: dataPath,
    });
    const context = (what: string) => ({
      model,
      blocks: splits.scoring,
      batchSize: o.batchSize,
      signal: io.signal,
      options: plan.metricOptions,
      onProgress: (done: number, total: number) =>
        reporter.progress({ stage: 'scoring', message: what, done, total, unit: 'blocks' }),
    });
    const sizes = [
      ...new Set([...tables.map((t) => t.size), ...(metric === cosineMetric ? [1] : [])]),
    ];
    const { scores, layerCosine } = await measureStage(model, 'scoring', async () => {
      const scores = await metric.score(context(metric.name), sizes);
      const layerCosine =
        metric === cosineMetric
          ? (scores.get(1) as number[])
          : ((await cosineMetric.score(context('cosine per layer'), [1])).get(1) as number[]);
      return { scores, layerCosine };
    });
    io.signal.throwIfAborted();

    const windows: WindowTable[] = tables.map(({ size, use }) => {
      const s = scores.get(size) as number[];
      const chosen = selectWindow(metric, s, size, { excludeLastLayer: o.excludeLastLayer });
      return { size, use, scores: s, chosen: { ...chosen } };
    });
    const result = {
      command: 'score',
      model: path,
      metric: {
        name: metric.name,
        description: metric.description,
        higherIsRedundant: metric.higherIsRedundant,
      },
      layers: L,
      layersToRemove: n,
      calibration: {
        source: dataPath,
        blocks: splits.scoring.length,
        blockLength: splits.scoring[0]?.length,
      },
      windows,
      layerCosine,
      ...(memoryRecord(model) ? { memory: memoryRecord(model) } : {}),
    };
    reporter.result(result, describe(result, metric, colorEnabled(io, io.stdout)));
    return result;
  } finally {
    model.dispose();
  }
};

function describe(
  r: {
    model: string;
    layers: number;
    layersToRemove: number;
    calibration: { blocks: number; blockLength?: number };
    windows: WindowTable[];
    layerCosine: number[];
    memory?: ReturnType<typeof memoryRecord>;
  },
  metric: WindowMetric,
  color: boolean,
): string {
  const lines = [
    `${r.model}: ${r.layers} layers; removing n = ${r.layersToRemove}; metric ${metric.name} ` +
      `(${metric.description}; ${metric.higherIsRedundant ? 'higher' : 'lower'} = more redundant); ` +
      `${r.calibration.blocks} blocks of ${r.calibration.blockLength} tokens`,
  ];
  for (const w of r.windows) {
    const order = w.scores
      .map((s, j) => ({ s, j }))
      .filter(({ s }) => !Number.isNaN(s))
      .sort((a, b) => (metric.higherIsRedundant ? b.s - a.s : a.s - b.s) || a.j - b.j);
    const rank = new Map(order.map(({ j }, i) => [j, i + 1]));
    lines.push(
      '',
      `windows of m = ${w.size} layer${w.size > 1 ? 's' : ''} (${w.use === 'replacement' ? 'replaced by one module: m = n + 1' : 'plain removal: m = n'})`,
      formatTable(
        ['start', 'layers', 'score', 'rank', ''],
        w.scores.map((s, j) => [
          String(j),
          w.size === 1 ? String(j) : `${j}–${j + w.size - 1}`,
          s.toFixed(6),
          String(rank.get(j) ?? '-'),
          j === w.chosen.start ? '◀ chosen' : '',
        ]),
        ['right', 'right', 'right', 'right', 'left'],
      ),
    );
  }
  lines.push('', 'cos(h_l, h_{l+1}) per layer l (how little layer l changes the hidden state):');
  lines.push(similarityStrip(r.layerCosine, { color }));
  const memory = memoryLine(r.memory, r.memory?.stream);
  if (memory) lines.push('', memory);
  return lines.join('\n');
}

export const score: Command = { spec, run };
