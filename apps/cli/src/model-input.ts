/**
 * MODEL arguments: which path (the bundled model when none is given), loading it onto the GPU
 * with a usable tokenizer, and the Hugging Face tokenizer files that make a written checkpoint
 * loadable again.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import {
  type BatchShape,
  type LoadedModel,
  loadTokenizer,
  MemoryBudgetError,
  type Tokenizer,
  type WeightsDTypeChoice,
} from '@llm-streamline/llm';
import {
  loadModelFromPath,
  nodeModelDirectory,
  openFileByteSource,
} from '@llm-streamline/llm/node';
import { STREAMLINE_DEFAULTS } from '@llm-streamline/streamline';
import { TOKENIZER_FILES } from '@llm-streamline/streamline/node';
import { DeviceLimitError } from '@llm-streamline/tensor';
import { BUNDLED, isBundledModel } from './bundled.js';
import { deviceMemoryBudget } from './device.js';
import { CliError } from './errors.js';
import type { Reporter } from './output/reporter.js';

/** What a MODEL argument may be, for the hint of errors about it. */
export const MODEL_HINT =
  'MODEL must be a Hugging Face model folder, a .gguf file or a llama2.c .bin';

/** The model path to use: the argument resolved against `cwd`, or the bundled model. */
export function modelPath(arg: string | undefined, cwd: string): string {
  return arg === undefined ? BUNDLED.model : resolve(cwd, arg);
}

/** Checks that `path` exists before anything slow starts. */
export async function assertModelExists(path: string): Promise<void> {
  if (!(await stat(path).catch(() => undefined)))
    throw new CliError(`${path}: no such file or folder`, MODEL_HINT);
}

/** A loaded model with a tokenizer (required by every command that reads or writes text). */
export interface ReadyModel extends LoadedModel {
  tokenizer: Tokenizer;
  path: string;
  bundled: boolean;
}

/** How to load MODEL: the values of args/model-flags.ts, and where progress goes. */
export interface ModelLoadOptions {
  /** `--tokenizer`: overrides the model's own tokenizer (a llama2.c checkpoint may need it). */
  tokenizerPath?: string | undefined;
  /** `--weights-dtype`: the device dtype of weight matrices (default auto: the checkpoint's). */
  weightsDtype?: WeightsDTypeChoice | undefined;
  /** False with `--no-check-weights`: load weights without checking them for NaN and Inf. */
  checkFinite?: false | undefined;
  /**
   * `--device-memory` in bytes (when absent, device.ts's default): a model whose weights and one
   * `batch`'s working set do not fit it streams its layers from the checkpoint.
   */
  deviceMemory?: number | undefined;
  /** The batches the command runs (what the budget must also hold). Default: the pipeline's. */
  batch?: BatchShape;
  reporter?: Reporter;
}

/** Loads MODEL onto the GPU with a tokenizer (see {@link ModelLoadOptions}). */
export async function loadModel(
  path: string,
  { tokenizerPath, ...options }: ModelLoadOptions = {},
): Promise<ReadyModel> {
  const loaded = await loadWeights(path, options);
  let tokenizer = loaded.tokenizer;
  if (tokenizerPath !== undefined) tokenizer = await readTokenizer(tokenizerPath);
  if (!tokenizer) {
    loaded.model.dispose();
    throw new CliError(
      `${path}: no tokenizer found beside the checkpoint (looked for tokenizer.bin and a single tok*.bin)`,
      'pass --tokenizer PATH (a tok*.bin, tokenizer.model or tokenizer.json)',
    );
  }
  return { ...loaded, tokenizer, path, bundled: isBundledModel(path) };
}

/** Loads MODEL onto the GPU as it is (a llama2.c model may come without a tokenizer). */
export async function loadWeights(
  path: string,
  {
    weightsDtype,
    deviceMemory,
    batch,
    reporter,
    checkFinite,
  }: Omit<ModelLoadOptions, 'tokenizerPath'> = {},
): Promise<LoadedModel> {
  await assertModelExists(path);
  const budgetBytes = await deviceMemoryBudget(deviceMemory);
  const shape = batch ?? {
    batchSize: STREAMLINE_DEFAULTS.batchSize,
    blockLength: STREAMLINE_DEFAULTS.blockLength,
  };
  try {
    return await loadModelFromPath(path, {
      ...(weightsDtype !== undefined ? { weightsDtype } : {}),
      ...(checkFinite === false ? { checkFinite } : {}),
      ...(budgetBytes !== undefined ? { deviceMemory: { ...shape, budgetBytes } } : {}),
      onProgress: (done: number, total: number) =>
        reporter?.progress({ stage: 'loading', done, total, unit: 'tensors' }),
    });
  } catch (e) {
    throw asLoadError(path, e);
  }
}

/**
 * A load failure as one line: the library's message says which file and what was found. A missing
 * adapter or a tensor too large for it is no fault of the file, so those pass through unchanged.
 */
export function asLoadError(path: string, e: unknown): unknown {
  if (
    !(e instanceof Error) ||
    e.name === 'NoAdapterError' ||
    e instanceof MemoryBudgetError ||
    e instanceof DeviceLimitError ||
    e instanceof CliError
  )
    return e;
  const message = e.message.split('\n')[0] ?? e.message;
  return new CliError(
    message.includes(basename(path)) ? message : `${path}: ${message}`,
    `${MODEL_HINT}; check that it is complete and not corrupt`,
    { cause: e },
  );
}

/** A tokenizer from a file (tok*.bin, tokenizer.model, tokenizer.json, .gguf) or a folder. */
export async function readTokenizer(path: string): Promise<Tokenizer> {
  const info = await stat(path).catch(() => undefined);
  if (!info)
    throw new CliError(
      `--tokenizer ${path}: no such file or folder`,
      'give a tok*.bin, tokenizer.model, tokenizer.json or a folder holding one',
    );
  try {
    if (info.isDirectory()) return await loadTokenizer(nodeModelDirectory(path));
    const source = await openFileByteSource(path, path);
    try {
      return await loadTokenizer(source);
    } finally {
      await source.close?.();
    }
  } catch (e) {
    throw new CliError(
      `--tokenizer ${path}: ${(e as Error).message.split('\n')[0]}`,
      'give a tok*.bin, tokenizer.model, tokenizer.json or a folder holding one',
      { cause: e },
    );
  }
}

/**
 * The Hugging Face tokenizer files ({@link TOKENIZER_FILES}) to write beside a checkpoint made
 * from MODEL, so that the output loads on its own: from --tokenizer when given (a folder, a
 * SentencePiece `.model` or a `tokenizer.json`), else from a Hugging Face MODEL folder, else a
 * `tokenizer.model` or single `tok*.model` beside a `.bin`/`.gguf`. Empty when there is none.
 */
export async function hfTokenizerFiles(
  modelPath: string,
  tokenizerPath?: string,
): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const add = async (name: string, path: string) => {
    const bytes = await readFile(path).catch(() => undefined);
    if (bytes) files.set(name, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  };
  const fromFolder = async (dir: string) => {
    for (const name of TOKENIZER_FILES) await add(name, join(dir, name));
  };
  const fromFile = async (path: string) => {
    if (extname(path) === '.model') await add('tokenizer.model', path);
    else if (extname(path) === '.json') await add('tokenizer.json', path);
  };
  if (tokenizerPath !== undefined) {
    if ((await stat(tokenizerPath).catch(() => undefined))?.isDirectory())
      await fromFolder(tokenizerPath);
    else await fromFile(tokenizerPath);
    return files;
  }
  if ((await stat(modelPath).catch(() => undefined))?.isDirectory()) {
    await fromFolder(modelPath);
    return files;
  }
  const dir = dirname(modelPath);
  const beside = await readdir(dir).catch(() => [] as string[]);
  if (beside.includes('tokenizer.model'))
    await add('tokenizer.model', join(dir, 'tokenizer.model'));
  else {
    const models = beside.filter((f) => /^tok.*\.model$/.test(f));
    if (models.length === 1) await add('tokenizer.model', join(dir, models[0] as string));
  }
  if (beside.includes('tokenizer.json')) await add('tokenizer.json', join(dir, 'tokenizer.json'));
  return files;
}
