/**
 * `prune MODEL --out DIR`: the whole LLM-Streamline method (score, choose, replace, train,
 * evaluate) and an atomic write of the pruned checkpoint, `streamline.json` and `report.html`
 * into DIR. Cancelling (Ctrl-C) or a failure leaves no DIR behind.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type SaveDType, WEIGHTS_DTYPE_CHOICES } from '@llm-streamline/llm';
import { renderReportHtml } from '@llm-streamline/report';
import {
  type ProgressEvent,
  type StreamlineReport,
  withDefaults,
} from '@llm-streamline/streamline';
import { runToDirectory } from '@llm-streamline/streamline/node';
import {
  scoringFlags,
  scoringOptions,
  stageFlags,
  stageOptions,
  trainingFlags,
  trainingOptions,
} from '../args/pipeline-flags.js';
import type { CommandSpec, FlagSpecs } from '../args/spec.js';
import { boolFlag, enumFlag, intFlag, stringFlag } from '../args/values.js';
import { BUNDLED } from '../bundled.js';
import { openDevice } from '../device.js';
import { UsageError } from '../errors.js';
import { resolveModelArg } from '../hub/model-arg.js';
import { hfTokenizerFiles, loadModel } from '../model-input.js';
import { baselinesLine } from '../output/baselines-line.js';
import { formatBytes, formatCount, formatDuration } from '../output/format.js';
import { memoryLine } from '../output/memory-line.js';
import type { Reporter } from '../output/reporter.js';
import { taskLines } from '../output/task-lines.js';
import { checkOutputPath, PRUNE_OUTPUT } from '../output-path.js';
import { checkOutputRoom, estimateOutputBytes } from '../output-room.js';
import { TASK_LIMIT_FLAG, taskItemError, tasksFlag, tasksFromFlags } from '../task-input.js';
import { readTextFile } from '../text-input.js';
import { cliVersion } from '../version.js';
import { rethrowWriteError } from '../write-errors.js';
import { type Command, start } from './command.js';
import { removalPlanOrUsageError } from './removal-plan.js';

export const spec: CommandSpec = {
  name: 'prune',
  summary: 'remove the most redundant layers, train a replacement, write the pruned model',
  description:
    'Scores every window of layers on calibration text, removes the most redundant window, trains ' +
    'one lightweight module in its place, compares perplexities on held-out text, and writes a ' +
    'Hugging Face checkpoint, streamline.json (the full report) and report.html (charts) into --out. ' +
    'The output appears complete or not at all. Evaluation uses the bundled held-out text for the ' +
    'bundled model; other models need --eval-data (or evaluation is skipped).',
  positionals: [
    {
      name: 'MODEL',
      optional: true,
      description: 'model to prune (default: bundled tinystories-12L)',
    },
  ],
  // A getter: the flags are generated from the registries when asked for, so a metric or kind
  // registered after this module loaded is in them.
  get flags() {
    const head: FlagSpecs = {
      out: {
        type: 'string',
        short: 'o',
        value: 'DIR',
        description: 'output folder (required; must not exist)',
      },
      force: {
        type: 'boolean',
        short: 'f',
        description:
          'replace --out if it is an earlier output of prune (a folder with streamline.json); anything else is refused',
      },
      ...scoringFlags(),
      'window-start': {
        type: 'string',
        value: 'J',
        description:
          'force the window to start at layer J (0-based; e.g. one chosen with score) instead of the most redundant one; every window is still scored',
      },
    };
    const withTraining = { ...head, ...trainingFlags(head) };
    return {
      ...withTraining,
      'eval-data': {
        type: 'string',
        value: 'TEXT',
        description: 'held-out text for the perplexity comparison',
        default: "the bundled model's heldout.txt",
      },
      ...stageFlags('evaluation', withTraining),
      'no-eval': { type: 'boolean', description: 'skip the perplexity comparison' },
      tasks: tasksFlag(
        'Scores the original, plain-removal and replaced models on them (acc, acc_norm, retention)',
      ),
      limit: TASK_LIMIT_FLAG,
      'no-baselines': {
        type: 'boolean',
        description:
          'evaluate only the pruned model (not the original, plain removal and ShortGPT baselines)',
      },
      dtype: {
        type: 'string',
        value: WEIGHTS_DTYPE_CHOICES.join('|'),
        description:
          "dtype of the written weights; auto writes them as they are held on the device (the checkpoint's dtype unless --weights-dtype says otherwise)",
        default: 'auto',
      },
    } satisfies FlagSpecs;
  },
  examples: [
    {
      what: 'the main job: the bundled model, default settings',
      command: 'llm-streamline prune --out pruned',
    },
    {
      what: 'a quick run: one layer, small budgets',
      command:
        'llm-streamline prune --out pruned --layers 1 --block-length 128 --scoring-blocks 16 --training-blocks 32 --epochs 1 --eval-blocks 8',
    },
    {
      what: 'the window starting at layer 4, as a score run chose it, instead of the most redundant',
      command: 'llm-streamline prune --out pruned --window-start 4',
    },
    {
      what: 'a llama2.c model, plain removal of 25% of the parameters, own texts',
      command:
        'llm-streamline prune stories260K.bin --out small --ratio 0.25 --replacement none --data calib.txt --eval-data heldout.txt',
    },
  ],
};

const UNITS: Record<string, string> = {
  scoring: 'blocks',
  pairs: 'blocks',
  training: 'steps',
  finetune: 'steps',
  evaluation: 'blocks',
  tasks: 'choices',
  export: 'tensors',
};

export const run: Command['run'] = async (argv, io) => {
  const started = start(spec, argv, io);
  if (!started) return undefined;
  const { args, reporter } = started;
  const v = args.values;
  const { dataPath, tokenizerPath, weightsDtype, deviceMemory, checkFinite, ...options } = {
    ...scoringOptions(v),
    ...trainingOptions(v),
    ...stageOptions(v, 'evaluation'),
  };
  const windowStart = intFlag(v, 'window-start', { min: 0 });
  const dtype = enumFlag(v, 'dtype', WEIGHTS_DTYPE_CHOICES) ?? 'auto';
  const noEval = boolFlag(v, 'no-eval');
  const evalDataFlag = stringFlag(v, 'eval-data');
  if (noEval && evalDataFlag !== undefined)
    throw new UsageError('give --eval-data or --no-eval, not both');
  const outArg = stringFlag(v, 'out');
  if (outArg === undefined)
    throw new UsageError('prune needs --out DIR', 'name a folder that does not exist yet');
  const force = boolFlag(v, 'force');
  const outDir = resolve(io.cwd, outArg);
  const modelArg = args.positionals[0];
  const path = await resolveModelArg(modelArg, io, reporter);
  // A Hub id is recorded as the id (its files are in the cache); a local model by its path.
  const modelSource =
    modelArg !== undefined && path !== resolve(io.cwd, modelArg) ? modelArg : path;
  await checkOutputPath(outDir, { force, input: path, flag: '--out', ours: PRUNE_OUTPUT });

  const tasks = await tasksFromFlags(v);
  const calibrationSource = dataPath ?? BUNDLED.calibrationText;
  const calibrationText = await readTextFile(calibrationSource, '--data');
  const bundled = path === BUNDLED.model;
  const evaluationSource = noEval
    ? undefined
    : // Recorded absolute, so `eval OUT` finds the same text from any folder.
      evalDataFlag !== undefined
      ? resolve(io.cwd, evalDataFlag)
      : bundled
        ? BUNDLED.evaluationText
        : undefined;
  const evaluationText =
    evaluationSource === undefined
      ? undefined
      : await readTextFile(evaluationSource, evalDataFlag ? '--eval-data' : 'evaluation text');
  if (!noEval && evaluationSource === undefined)
    reporter.note(
      'no evaluation text for this model: perplexities are skipped (give --eval-data TEXT to compare them)',
    );

  await openDevice();
  const loaded = await loadModel(path, {
    tokenizerPath,
    weightsDtype,
    deviceMemory,
    checkFinite,
    batch: withDefaults(options),
    reporter,
  });
  const { model, tokenizer } = loaded;
  try {
    removalPlanOrUsageError(model, withDefaults({ ...options, windowStart }));

    // Tokenizer files make the output loadable on its own; a llama2.c or GGUF source has none in
    // Hugging Face form, so they come from --tokenizer or a tokenizer.model beside the checkpoint.
    // Read once here and handed to the export as bytes.
    const tokenizerFiles = await hfTokenizerFiles(path, tokenizerPath);
    if (tokenizerFiles.size === 0)
      reporter.note(
        'no tokenizer.model or tokenizer.json found for this model: the output will have no tokenizer ' +
          '(give --tokenizer PATH to include one)',
      );

    const saveDtype = (dtype === 'auto' ? model.weightsDtype : dtype).toUpperCase() as SaveDType;
    const tokenizerBytes = [...tokenizerFiles.values()].reduce((a, b) => a + b.byteLength, 0);
    await checkOutputRoom(
      outDir,
      '--out',
      estimateOutputBytes(model.parameterCount(), saveDtype, tokenizerBytes),
    );

    const { report, checkpoint } = await runToDirectory(
      {
        tasks,
        windowStart,
        provenance: { tool: 'llm-streamline', version: cliVersion(), command: ['prune', ...argv] },
        model,
        tokenizer,
        modelSource,
        modelFormat: loaded.format,
        calibrationText,
        calibrationSource,
        evaluationText,
        evaluationSource,
        ...options,
        compareBaselines: boolFlag(v, 'no-baselines') ? false : undefined,
        signal: io.signal,
        onProgress: (e) => progress(reporter, e),
        onWarning: (w) => reporter.note(`warning: ${w}`),
      },
      outDir,
      {
        force,
        tokenizerFiles,
        save: {
          dtype: saveDtype,
        },
        renderReport: renderReportHtml,
      },
    ).catch((e) =>
      rethrowWriteError({ flag: '--out', path: outDir })(taskItemError(e, tasks ?? [])),
    );
    const written = await listFiles(outDir);
    const result = { command: 'prune', outDir, checkpoint, files: written, report };
    reporter.result(result, describe(report, outDir, written));
    return result;
  } finally {
    model.dispose();
  }
};

function progress(reporter: Reporter, e: ProgressEvent): void {
  const detail =
    e.validationLoss !== undefined
      ? `epoch ${e.epoch} validation MSE ${e.validationLoss.toPrecision(4)}`
      : e.loss !== undefined
        ? `loss ${e.loss.toPrecision(4)}`
        : undefined;
  reporter.progress({ ...e, unit: UNITS[e.stage] ?? 'it', detail });
}

async function listFiles(dir: string): Promise<{ name: string; bytes: number }[]> {
  const names = (await readdir(dir)).sort();
  return Promise.all(
    names.map(async (name) => ({ name, bytes: (await stat(join(dir, name))).size })),
  );
}

function describe(
  r: StreamlineReport,
  outDir: string,
  files: { name: string; bytes: number }[],
): string {
  // The window that left: plain removal's when that was kept.
  const removed = r.replacement.kind === 'none' || r.keep?.kept === 'removal';
  const w = removed ? r.removalWindow : r.window;
  const p = r.perplexity;
  const fmt = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(3));
  const lines = [
    `${r.hyperparameters['window-start'] === undefined ? 'chose' : 'forced (--window-start)'} layers ${w.start}–${w.start + w.size - 1} (${r.metric.name} score ${w.score.toFixed(4)}); ` +
      (removed
        ? `removed them`
        : `replaced them with one ${r.replacement.kind} block (${formatCount(r.replacement.parameters)} parameters)`),
    `${r.model.layers} → ${r.result.layers} layers, ${formatCount(r.model.parameters)} → ${formatCount(r.result.parameters)} parameters ` +
      `(${((100 * (r.model.parameters - r.result.parameters)) / r.model.parameters).toFixed(1)}% fewer)`,
  ];
  if (r.training)
    lines.push(
      `training: ${r.training.epochLoss.length} epoch(s), best ${r.training.bestEpoch}, validation MSE ` +
        `${r.training.validationLoss.map((x) => x.toPrecision(4)).join(' → ')}${r.training.stopped ? ` (stopped: ${r.training.stopped})` : ''}`,
    );
  if (p)
    lines.push(
      `perplexity on ${p.blocks} blocks of ${p.source}: original ${fmt(p.original)}, plain removal ${fmt(p.none)}, ` +
        `${r.replacement.kind} ${fmt(p.replaced)}`,
    );
  else lines.push('perplexity: not evaluated');
  if (r.tasks) lines.push(...taskLines(r.tasks, r.replacement.kind));
  lines.push(...keepLines(r.keep));
  const baselines = baselinesLine(r);
  if (baselines) lines.push(baselines);
  const memory = memoryLine(r.memory, r.memory?.stream);
  if (memory) lines.push(memory);
  const seconds = Object.values(r.secondsPerStage).reduce((a, b) => a + b, 0);
  lines.push(
    `time: ${formatDuration(seconds)} (${Object.entries(r.secondsPerStage)
      .map(([k, s]) => `${k} ${s.toFixed(1)} s`)
      .join(', ')})`,
    `wrote ${outDir}:`,
    ...files.map((f) => `  ${f.name.padEnd(28)} ${formatBytes(f.bytes).padStart(10)}`),
  );
  if (r.replacement.export.as === 'not-exportable')
    lines.push(`no checkpoint: the replacement is not exportable: ${r.replacement.export.reason}`);
  return lines.join('\n');
}

/** Which model was written and why; what to change when the replacement lost. */
function keepLines(keep: StreamlineReport['keep']): string[] {
  if (!keep) return [];
  const kept = keep.kept === 'replaced' ? 'the replaced model' : 'plain removal';
  return [
    `kept ${kept} (--keep ${keep.mode}): ${keep.reason}`,
    ...(keep.advice ? [`advice: ${keep.advice}`] : []),
  ];
}

export const prune: Command = { spec, run };
