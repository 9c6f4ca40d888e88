/**
 * Node-only: load a model from a path, whatever its format. Browsers use load-model.ts with
 * File/Blob sources instead. Import dynamically from code that may run in a browser.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { openFileByteSource } from '../io/node-byte-source.js';
import { nodeModelDirectory } from '../io/node-model-directory.js';
import {
  type LoadedModel,
  type LoadOptions,
  loadGgufModel,
  loadHfModel,
  loadLlama2cModel,
} from './load-model.js';
import { detectModelFormat } from './node-model-format.js';

/**
 * A Hugging Face directory, a `.gguf` file, or a llama2.c `.bin` (its tokenizer is looked for
 * beside it: `tokenizer.bin`, or the single `tok*.bin`).
 */
export async function loadModelFromPath(
  path: string,
  options: LoadOptions = {},
): Promise<LoadedModel> {
  const format = await detectModelFormat(path);
  if (format === 'huggingface') return loadHfModel(nodeModelDirectory(path), options);
  if (format === undefined) {
    throw new Error(
      `${path}: not a model (expected a Hugging Face directory, a .gguf file or a llama2.c .bin checkpoint)`,
    );
  }
  const source = await openFileByteSource(path, path);
  let loaded: LoadedModel | undefined;
  try {
    if (format === 'gguf') {
      loaded = await loadGgufModel(source, options);
      return loaded;
    }
    const tokenizerPath = await findLlama2cTokenizer(path);
    const tokenizer = tokenizerPath
      ? await openFileByteSource(tokenizerPath, tokenizerPath)
      : undefined;
    try {
      loaded = await loadLlama2cModel(source, tokenizer, options);
      return loaded;
    } finally {
      await tokenizer?.close?.();
    }
  } finally {
    // A streamed model reads its layers from the file until it is disposed (it closes it then).
    if (!loaded?.model.weightStream) await source.close?.();
  }
}

async function findLlama2cTokenizer(checkpointPath: string): Promise<string | undefined> {
  const dir = dirname(checkpointPath);
  const files = await readdir(dir);
  if (files.includes('tokenizer.bin')) return join(dir, 'tokenizer.bin');
  const candidates = files.filter((f) => /^tok.*\.bin$/.test(f) && f !== basename(checkpointPath));
  return candidates.length === 1 ? join(dir, candidates[0] as string) : undefined;
}
