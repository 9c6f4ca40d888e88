/**
 * `generate MODEL --prompt TEXT`: streams text from the model as each token is chosen, with
 * llama2.c's sampling (temperature, top-p, xorshift seed): the same flags give run.c's output.
 */
import { formatByteSize, generate as generateTokens } from '@llm-streamline/llm';
import { MODEL_FLAGS, modelFlagValues } from '../args/model-flags.js';
import type { CommandSpec } from '../args/spec.js';
import { intFlag, numberFlag, stringFlag } from '../args/values.js';
import { openDevice } from '../device.js';
import { CliError } from '../errors.js';
import { resolveModelArg } from '../hub/model-arg.js';
import { loadModel } from '../model-input.js';
import { formatRate } from '../output/format.js';
import { type Command, start } from './command.js';

export const spec: CommandSpec = {
  name: 'generate',
  summary: 'stream text from the model',
  description:
    'Prints the prompt, then each new token as it is produced. Stops at end-of-text (EOS, or a new ' +
    'BOS), after --max-tokens, or at the context length. Temperature 0 is greedy.',
  positionals: [
    { name: 'MODEL', optional: true, description: 'model (default: bundled tinystories-12L)' },
  ],
  flags: {
    prompt: {
      type: 'string',
      short: 'p',
      value: 'TEXT',
      description: 'text to continue',
      default: 'none (start of a story)',
    },
    'max-tokens': {
      type: 'string',
      short: 'n',
      value: 'N',
      description: 'new tokens at most',
      default: '256',
    },
    temperature: {
      type: 'string',
      short: 't',
      value: 'x',
      description: 'sampling temperature, 0 = greedy',
      default: '1',
    },
    'top-p': {
      type: 'string',
      value: 'p',
      description: 'nucleus sampling threshold, 0 < p ≤ 1',
      default: '0.9',
    },
    seed: { type: 'string', value: 'N', description: 'seed of the sampler', default: 'random' },
    ...MODEL_FLAGS,
  },
  examples: [
    {
      what: 'a story from the bundled model',
      command: 'llm-streamline generate --prompt "Once upon a time"',
    },
    {
      what: 'greedy, 60 tokens, from a pruned model',
      command:
        'llm-streamline generate pruned --prompt "Once upon a time" --temperature 0 --max-tokens 60',
    },
    { what: 'reproducible sampling', command: 'llm-streamline generate --seed 42 --top-p 0.9' },
  ],
};

export const run: Command['run'] = async (argv, io) => {
  const started = start(spec, argv, io);
  if (!started) return undefined;
  const { args, reporter } = started;
  const v = args.values;
  const prompt = stringFlag(v, 'prompt') ?? '';
  const maxTokens = intFlag(v, 'max-tokens', { min: 1 }) ?? 256;
  const temperature = numberFlag(v, 'temperature', { min: 0 }) ?? 1;
  const topP = numberFlag(v, 'top-p', { min: 0, max: 1, exclusiveMin: true }) ?? 0.9;
  const seed = intFlag(v, 'seed', { min: 0 }) ?? Math.floor(Math.random() * 2 ** 31);
  const path = await resolveModelArg(args.positionals[0], io, reporter);

  await openDevice();
  const flags = modelFlagValues(v);
  const { model, tokenizer } = await loadModel(path, {
    ...flags,
    // Decoding runs every layer per token: only an explicit budget applies, and it must fit.
    deviceMemory: flags.deviceMemory ?? Number.POSITIVE_INFINITY,
    batch: { batchSize: 1, blockLength: maxTokens },
    reporter,
  });
  try {
    if (model.weightStream)
      throw new CliError(
        `${path}: generate needs the whole model on the device, and its weights (${formatByteSize(model.memoryPlan?.weightsBytes ?? 0)}) do not fit --device-memory ${formatByteSize(flags.deviceMemory ?? 0)}`,
        'give a larger --device-memory, or leave it out on a GPU; streaming layers serves score, eval and prune',
      );
    reporter.endProgress();
    const promptIds = tokenizer.encode(prompt, { bos: true, eos: false });
    if (promptIds.length === 0 || promptIds[0] !== tokenizer.bosId)
      promptIds.unshift(tokenizer.bosId);
    const eos = model.config.eosTokenId;
    const stopIds = [...(Array.isArray(eos) ? eos : [eos]), tokenizer.bosId].filter(
      (id) => id >= 0,
    );
    // generate() counts positions (llama2.c's steps): P prompt tokens give steps − P + 1 new ones.
    const steps = promptIds.length + maxTokens - 1;
    const ids = [...promptIds];
    let text = '';
    const emit = (piece: string, id?: number) => {
      text += piece;
      if (args.json) {
        if (id !== undefined) reporter.json({ type: 'token', id, text: piece });
      } else io.stdout.write(piece);
    };
    // The prompt is echoed as run.c does: each token's text after its predecessor.
    for (let i = 1; i < promptIds.length; i++)
      emit(tokenizer.decodeToken(promptIds[i - 1] as number, promptIds[i] as number));
    const t0 = performance.now();
    let generated = 0;
    for await (const id of generateTokens(model, promptIds, {
      steps,
      temperature,
      topP,
      seed,
      stopIds,
      shouldStop: () => io.signal.aborted,
    })) {
      emit(tokenizer.decodeToken(ids[ids.length - 1] as number, id), id);
      ids.push(id);
      generated++;
    }
    io.signal.throwIfAborted();
    const seconds = (performance.now() - t0) / 1000;
    const tokensPerSecond = generated / seconds;
    const result = {
      command: 'generate',
      model: path,
      prompt,
      text,
      promptTokens: promptIds.length,
      tokens: ids.slice(promptIds.length),
      temperature,
      topP,
      seed,
      tokensPerSecond,
    };
    if (args.json) reporter.result(result, '');
    else {
      io.stdout.write('\n');
      reporter.note(
        `${generated} tokens at ${formatRate(tokensPerSecond)} tokens/s (seed ${seed})`,
      );
    }
    return result;
  } finally {
    model.dispose();
  }
};

export const generate: Command = { spec, run };
