/**
 * `eval MODEL --data TEXT`: perplexity of the model on a text (packed into blocks as the pipeline
 * packs its evaluation text, each block scored on its own) and the speed in scored tokens per
 * second. `eval MODEL --tasks FILE[,FILE…]`: zero-shot multiple-choice accuracy (see eval-tasks.ts).
 */
import { measureStage, packBlocks, perplexity } from '@llm-streamline/llm';
import { STREAMLINE_DEFAULTS } from '@llm-streamline/streamline';
import { MODEL_FLAGS, modelFlagValues } from '../args/model-flags.js';
import type { CommandSpec } from '../args/spec.js';
import { intFlag, stringFlag } from '../args/values.js';
import { BUNDLED } from '../bundled.js';
import { openDevice } from '../device.js';
import { CancelledError, CliError, UsageError } from '../errors.js';
import { resolveModelArg } from '../hub/model-arg.js';
import { loadModel } from '../model-input.js';
import { formatRate } from '../output/format.js';
import { memoryLine, memoryRecord } from '../output/memory-line.js';
import { recordedEvaluation } from '../recorded-run.js';
import { TASK_LIMIT_FLAG, tasksFlag, tasksFromFlags } from '../task-input.js';
import { readTextFile } from '../text-input.js';
import { type Command, start } from './command.js';
import { evaluateTasks, formatTaskAccuracies, type TaskAccuracies } from './eval-tasks.js';

export const spec: CommandSpec = {
  name: 'eval',
  summary: 'perplexity on a text, and tokens per second; or accuracy on multiple-choice tasks',
  description:
    'The text is split into documents on blank lines, each encoded as [BOS] + tokens, concatenated ' +
    'and cut into blocks; each block is scored alone (perplexity = exp(mean next-token loss)). ' +
    'With --tasks, each task item is scored as lm-evaluation-harness scores a zero-shot multiple-choice ' +
    'task: every choice by the summed log-likelihood of its tokens after the context; acc counts items ' +
    'whose best choice is right, acc_norm the same after dividing by the choice length in characters. ' +
    'A context longer than --block-length is cut from the left, and the count of such items is shown.',
  positionals: [
    {
      name: 'MODEL',
      optional: true,
      description: 'model to evaluate (default: bundled tinystories-12L)',
    },
  ],
  flags: {
    data: {
      type: 'string',
      value: 'TEXT',
      description:
        'text file to evaluate on (required for a model other than the bundled one or a folder written by prune)',
      default:
        "the bundled model's heldout.txt, or the text a pruned folder's streamline.json recorded",
    },
    'block-length': {
      type: 'string',
      value: 'N',
      description: 'tokens per block',
      default: `${STREAMLINE_DEFAULTS.blockLength}, or the block length a pruned folder's streamline.json recorded`,
    },
    tasks: tasksFlag('Without --data, no perplexity is computed'),
    limit: TASK_LIMIT_FLAG,
    blocks: { type: 'string', value: 'N', description: 'evaluate only the first N blocks' },
    batch: {
      type: 'string',
      value: 'N',
      description: 'blocks (or task choices) per forward pass',
      default: String(STREAMLINE_DEFAULTS.batchSize),
    },
    ...MODEL_FLAGS,
  },
  examples: [
    { what: 'the bundled model on its held-out text', command: 'llm-streamline eval' },
    {
      what: 'the bundled model on the bundled task and a HellaSwag file of your own',
      command: 'llm-streamline eval --tasks story-endings,hellaswag_val.jsonl',
    },
    {
      what: 'a pruned model on the text prune compared it on (recorded in its streamline.json), first 20 blocks',
      command: 'llm-streamline eval pruned --blocks 20',
    },
    {
      what: 'a llama2.c model on a text of your own',
      command: 'llm-streamline eval stories260K.bin --data stories.txt --block-length 128',
    },
  ],
};

export const run: Command['run'] = async (argv, io) => {
  const started = start(spec, argv, io);
  if (!started) return undefined;
  const { args, reporter } = started;
  const v = args.values;
  const blockLengthFlag = intFlag(v, 'block-length', { min: 2 });
  const maxBlocks = intFlag(v, 'blocks', { min: 1 });
  const batchSize = intFlag(v, 'batch', { min: 1 }) ?? STREAMLINE_DEFAULTS.batchSize;
  const dataFlag = stringFlag(v, 'data');
  const path = await resolveModelArg(args.positionals[0], io, reporter);
  const tasks = await tasksFromFlags(v);
  // Perplexity unless only tasks were asked for: on --data, the bundled model's held-out text, or
  // the text a pruned folder's streamline.json recorded (so `eval pruned` compares with `prune`).
  const recorded =
    dataFlag === undefined && !tasks && path !== BUNDLED.model
      ? await recordedEvaluation(path)
      : undefined;
  const dataPath =
    dataFlag ?? (path === BUNDLED.model && !tasks ? BUNDLED.evaluationText : recorded?.text);
  if (dataPath === undefined && !tasks)
    throw new UsageError(
      'eval needs --data TEXT (or --tasks FILE) for a model other than the bundled one or a folder written by prune',
      'give a held-out text file',
    );
  const blockLength = blockLengthFlag ?? recorded?.blockLength ?? STREAMLINE_DEFAULTS.blockLength;
  if (recorded)
    reporter.note(
      `evaluation text from ${recorded.file}: ${recorded.text}, blocks of ${blockLength} tokens`,
    );
  const text = dataPath === undefined ? undefined : await readTextFile(dataPath, '--data');

  await openDevice();
  const { model, tokenizer } = await loadModel(path, {
    ...modelFlagValues(v),
    batch: { batchSize, blockLength },
    reporter,
  });
  try {
    let accuracy: TaskAccuracies | undefined;
    if (tasks) {
      try {
        accuracy = await evaluateTasks(model, tokenizer, tasks, {
          blockLength,
          batchSize,
          reporter,
          shouldStop: () => io.signal.aborted,
        });
      } catch (e) {
        throw io.signal.aborted ? new CancelledError() : e;
      }
    }
    const taskResult = accuracy
      ? { tasks: accuracy.tasks, average: accuracy.average, blockLength }
      : undefined;
    const taskText = accuracy ? formatTaskAccuracies(accuracy, blockLength) : '';
    if (text === undefined || dataPath === undefined) {
      const result = { command: 'eval', model: path, ...taskResult };
      reporter.result(result, taskText);
      return result;
    }
    const all = packBlocks(text, tokenizer, blockLength);
    if (all.length === 0)
      throw new CliError(
        `--data ${dataPath}: too short — it gives no block of ${blockLength} tokens`,
        'use more text or a smaller --block-length',
      );
    const blocks = maxBlocks === undefined ? all : all.slice(0, maxBlocks);
    let r: Awaited<ReturnType<typeof perplexity>>;
    try {
      r = await measureStage(model, 'evaluation', () =>
        perplexity(model, blocks, {
          batchSize,
          label: `${path}, evaluation`,
          shouldStop: () => io.signal.aborted,
          onProgress: (done, total) =>
            reporter.progress({ stage: 'evaluation', done, total, unit: 'blocks' }),
        }),
      );
    } catch (e) {
      throw io.signal.aborted ? new CancelledError() : e;
    }
    const result = {
      command: 'eval',
      model: path,
      ...taskResult,
      data: dataPath,
      blockLength,
      blocks: r.blocks,
      availableBlocks: all.length,
      tokensScored: r.tokensScored,
      perplexity: r.perplexity,
      meanNll: r.meanNll,
      tokensPerSecond: r.tokensPerSecond,
      ...(memoryRecord(model) ? { memory: memoryRecord(model) } : {}),
    };
    const memory = memoryLine(result.memory, result.memory?.stream);
    reporter.result(
      result,
      `perplexity ${r.perplexity.toFixed(4)} (mean NLL ${r.meanNll.toFixed(4)}) on ${r.blocks} of ${all.length} blocks of ` +
        `${blockLength} tokens from ${dataPath}\n${r.tokensScored} tokens scored at ${formatRate(r.tokensPerSecond)} tokens/s` +
        (memory ? `\n${memory}` : '') +
        (taskText ? `\n${taskText}` : ''),
    );
    return result;
  } finally {
    model.dispose();
  }
};

export const evalCommand: Command = { spec, run };
