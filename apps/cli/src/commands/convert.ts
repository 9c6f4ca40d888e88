/**
 * `convert IN OUT`: a llama2.c `.bin` or a `.gguf` (or a Hugging Face folder, to change its dtype)
 * written as a Hugging Face folder: config.json, model.safetensors and, when one can be found, a
 * SentencePiece tokenizer.model, so that the output loads on its own. Written atomically.
 * `--to gguf` writes a llama.cpp GGUF file instead (convert-gguf.ts).
 */
import { readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { saveHfModel } from '@llm-streamline/llm';
import { DirectorySink } from '@llm-streamline/llm/node';
import type { CommandSpec } from '../args/spec.js';
import { boolFlag, enumFlag, stringFlag } from '../args/values.js';
import { openDevice } from '../device.js';
import { CancelledError } from '../errors.js';
import { resolveModelArg } from '../hub/model-arg.js';
import { hfTokenizerFiles, loadWeights, readTokenizer } from '../model-input.js';
import { formatBytes } from '../output/format.js';
import { CONVERT_OUTPUT, checkOutputPath, GGUF_OUTPUT } from '../output-path.js';
import { checkOutputRoom, estimateOutputBytes } from '../output-room.js';
import { rethrowWriteError } from '../write-errors.js';
import { type Command, start } from './command.js';
import { convertToGguf } from './convert-gguf.js';

export const spec: CommandSpec = {
  name: 'convert',
  summary:
    'convert a model into a Hugging Face folder, or into a GGUF file for llama.cpp (--to gguf)',
  description:
    'Writes config.json and model.safetensors, and copies a SentencePiece tokenizer (--tokenizer, ' +
    'or tokenizer.model / a single tok*.model beside IN) as tokenizer.model. Without one the output ' +
    'holds the weights only, and the command says so.',
  positionals: [
    { name: 'IN', description: 'a llama2.c .bin, a .gguf, or a Hugging Face folder' },
    {
      name: 'OUT',
      description:
        'the Hugging Face folder, or with --to gguf the .gguf file, to write (must not exist)',
    },
  ],
  flags: {
    to: {
      type: 'string',
      value: 'hf|gguf',
      description:
        'output format: a Hugging Face folder, or one GGUF file (llama.cpp names and metadata, ' +
        'tokenizer embedded; norms stay f32 as llama.cpp keeps them)',
      default: 'hf',
    },
    tokenizer: {
      type: 'string',
      value: 'PATH',
      description:
        'tokenizer to use and copy (tokenizer.model / tok*.model, tokenizer.json, or a folder)',
    },
    dtype: {
      type: 'string',
      value: 'f32|f16|bf16',
      description: 'dtype of the written weights',
      default: 'f32',
    },
    force: {
      type: 'boolean',
      short: 'f',
      description:
        'replace OUT if it is an earlier output of convert or prune; anything else is refused',
    },
  },
  examples: [
    {
      what: 'llama2.c checkpoint (tok512.model beside it is copied)',
      command: 'llm-streamline convert stories260K.bin stories260K-hf',
    },
    {
      what: 'GGUF, half precision, with an explicit tokenizer',
      command: 'llm-streamline convert model.gguf model-hf --dtype f16 --tokenizer tokenizer.model',
    },
    {
      what: 'a pruned Hugging Face folder to GGUF for llama.cpp, half precision',
      command: 'llm-streamline convert pruned pruned.gguf --to gguf --dtype f16',
    },
  ],
};

export const run: Command['run'] = async (argv, io) => {
  const started = start(spec, argv, io);
  if (!started) return undefined;
  const { args, reporter } = started;
  const v = args.values;
  const out = resolve(io.cwd, args.positionals[1] as string);
  const dtype = enumFlag(v, 'dtype', ['f32', 'f16', 'bf16'] as const) ?? 'f32';
  const to = enumFlag(v, 'to', ['hf', 'gguf'] as const) ?? 'hf';
  const force = boolFlag(v, 'force');
  const tokenizerPath = stringFlag(v, 'tokenizer');
  const input = await resolveModelArg(args.positionals[0], io, reporter);
  await checkOutputPath(out, {
    force,
    input,
    flag: 'OUT',
    ours: to === 'gguf' ? GGUF_OUTPUT : CONVERT_OUTPUT,
  });
  if (to === 'gguf') {
    await openDevice();
    return convertToGguf({ input, out, dtype, force, tokenizerPath }, io, reporter);
  }

  await openDevice();
  // Converting needs no tokenizer object; a --tokenizer given is read once to check that it is one.
  if (tokenizerPath !== undefined) await readTokenizer(tokenizerPath);
  const loaded = await loadWeights(input, { reporter });
  const extraFiles = await hfTokenizerFiles(input, tokenizerPath);
  if (extraFiles.size === 0)
    reporter.note(
      'no tokenizer.model or tokenizer.json found: the output holds the weights only and needs a tokenizer ' +
        'before it can be used (give --tokenizer PATH)',
    );
  const saveDtype = dtype.toUpperCase() as 'F32' | 'F16' | 'BF16';
  const target = { flag: 'OUT', path: out };
  try {
    const extraBytes = [...extraFiles.values()].reduce((a, b) => a + b.byteLength, 0);
    await checkOutputRoom(
      out,
      'OUT',
      estimateOutputBytes(loaded.model.parameterCount(), saveDtype, extraBytes),
    );
    const sink = await DirectorySink.create(out, { overwrite: force }).catch(
      rethrowWriteError(target),
    );
    try {
      await saveHfModel(loaded.model, sink, {
        dtype: saveDtype,
        extraFiles,
        onProgress: (done, total) => {
          if (io.signal.aborted) throw new CancelledError();
          reporter.progress({ stage: 'export', done, total, unit: 'tensors' });
        },
      }).catch(rethrowWriteError(target));
      io.signal.throwIfAborted();
      await sink.commit().catch(rethrowWriteError(target));
    } catch (e) {
      await sink.abort();
      throw e;
    }
  } finally {
    loaded.model.dispose();
  }
  const names = (await readdir(out)).sort();
  const files = await Promise.all(
    names.map(async (name) => ({ name, bytes: (await stat(join(out, name))).size })),
  );
  const result = {
    command: 'convert',
    input,
    inputFormat: loaded.format,
    outDir: out,
    dtype,
    files,
    tokenizer: [...extraFiles.keys()],
  };
  reporter.result(
    result,
    [
      `converted ${input} (${loaded.format}) to a Hugging Face folder, weights ${dtype}:`,
      ...files.map((f) => `  ${join(out, f.name).padEnd(40)} ${formatBytes(f.bytes).padStart(10)}`),
      extraFiles.size > 0
        ? `tokenizer: ${[...extraFiles.keys()].join(', ')} copied; load it with any LLaMA runtime`
        : 'tokenizer: none written',
    ].join('\n'),
  );
  return result;
};

export const convert: Command = { spec, run };
