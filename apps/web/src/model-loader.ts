/**
 * Loads a ModelInput onto the GPU through the llm package's Blob readers (the same for bundled and
 * picked files), after checking it fits the adapter, under the device memory budget when there is
 * one, and gathers the tokenizer files to copy into the exported checkpoint.
 */
import {
  blobByteSource,
  blobModelDirectory,
  type DeviceMemoryBudget,
  type LoadedModel,
  type LoadOptions,
  loadGgufModel,
  loadHfModel,
  loadLlama2cModel,
  type Tokenizer,
} from '@llm-streamline/llm';
import { TOKENIZER_FILES } from '@llm-streamline/streamline';
import type { ModelInput } from './model-input.js';
import { type BufferLimits, checkFitsAdapter } from './size-check.js';

export interface ReadyModel extends LoadedModel {
  tokenizer: Tokenizer;
  /** Files written beside the exported weights so other runtimes can tokenize. */
  tokenizerFiles: Map<string, Uint8Array>;
  /** Why the export will lack a tokenizer, when it will. */
  tokenizerNote?: string;
}

export interface ModelLoadOptions {
  onProgress?: (done: number, total: number) => void;
  /**
   * The device memory budget and the batches it must hold: a model whose weights do not fit with
   * them is loaded streamed, its layers read from the picked files (Blob slices) when needed.
   * Undefined: no budget, everything is uploaded.
   */
  deviceMemory?: DeviceMemoryBudget | undefined;
}

/** Checks the size against `limits`, then loads weights and tokenizer. */
export async function loadModelInput(
  input: ModelInput,
  limits: BufferLimits,
  { onProgress, deviceMemory }: ModelLoadOptions = {},
): Promise<ReadyModel> {
  await checkFitsAdapter(input, limits);
  const loaded = await loadByKind(input, { onProgress, ...(deviceMemory ? { deviceMemory } : {}) });
  if (!loaded.tokenizer) {
    loaded.model.dispose();
    throw new Error(`${input.name}: no tokenizer was found for this model`);
  }
  const { files, note } = await tokenizerFiles(input);
  return { ...loaded, tokenizer: loaded.tokenizer, tokenizerFiles: files, tokenizerNote: note };
}

function loadByKind(input: ModelInput, options: LoadOptions): Promise<LoadedModel> {
  switch (input.kind) {
    case 'huggingface':
      return loadHfModel(blobModelDirectory(input.files, input.name), options);
    case 'gguf':
      return loadGgufModel(blobByteSource(input.file, input.name), options);
    case 'llama2c':
      return loadLlama2cModel(
        blobByteSource(input.checkpoint, input.name),
        input.tokenizer && blobByteSource(input.tokenizer),
        options,
      );
  }
}

async function tokenizerFiles(
  input: ModelInput,
): Promise<{ files: Map<string, Uint8Array>; note?: string }> {
  const files = new Map<string, Uint8Array>();
  const bytes = async (blob: Blob) => new Uint8Array(await blob.arrayBuffer());
  if (input.kind === 'huggingface') {
    for (const name of TOKENIZER_FILES) {
      const blob = input.files.get(name);
      if (blob) files.set(name, await bytes(blob));
    }
    return { files };
  }
  if (input.kind === 'llama2c' && input.sentencePiece) {
    files.set('tokenizer.model', await bytes(input.sentencePiece));
    return { files };
  }
  return {
    files,
    note:
      input.kind === 'gguf'
        ? 'The GGUF tokenizer lives in its metadata and cannot be exported: copy tokenizer files from the original Hugging Face model beside the download.'
        : 'No tokenizer.model was picked with the llama2.c checkpoint, so the download holds no tokenizer file: add the SentencePiece tokenizer.model of the same vocabulary beside it.',
  };
}
