/**
 * Node-only: a whole run into a folder on disk, the way the CLI does it. The output appears
 * complete or not at all: files go to a staging folder beside the target (DirectorySink), which is
 * renamed into place only after `streamline.json`, the last file, is written; a failure or a
 * cancellation deletes the staging folder, and the temporary pair file is always deleted.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SaveOptions } from '@llm-streamline/llm';
import { DirectorySink } from '@llm-streamline/llm/node';
import {
  type StreamlineOptions,
  type StreamlineResult,
  streamline,
} from '../pipeline/streamline.js';
import { FilePairStorage } from '../training/node-file-pair-storage.js';
import { type SaveStreamlinedOptions, saveStreamlined } from './save-streamlined.js';
import { TOKENIZER_FILES } from './tokenizer-files.js';

export interface RunToDirectoryOptions {
  /** Replace an existing output path. Default false: an existing path is refused before any work. */
  force?: boolean;
  /**
   * Folder whose tokenizer files ({@link TOKENIZER_FILES}) are copied into the output. Default: the
   * model's folder when the model is a Hugging Face directory (`modelFormat` 'huggingface' and
   * `modelSource` a folder). llama2.c and GGUF sources carry no such files.
   */
  tokenizerFrom?: string;
  /** Checkpoint dtype and shard size (see saveHfModel). */
  save?: Pick<SaveOptions, 'dtype' | 'maxShardBytes'>;
  /** Renders the final report as `report.html` (see saveStreamlined). Default: no report.html. */
  renderReport?: SaveStreamlinedOptions['renderReport'];
}

export interface RunToDirectoryResult extends StreamlineResult {
  /** The output folder. */
  outDir: string;
  /** Whether a checkpoint was written (false for replacements that cannot be exported). */
  checkpoint: boolean;
  /** Tokenizer files copied. */
  tokenizerFiles: string[];
}

/**
 * streamline(options), then saveStreamlined into `outDir`, atomically. Training pairs go to a
 * temporary file unless `options.pairStorage` says otherwise. Cancelling with `options.signal` (also
 * during the export) rejects and leaves no output.
 */
export async function runToDirectory(
  options: StreamlineOptions,
  outDir: string,
  { force = false, tokenizerFrom, save = {}, renderReport }: RunToDirectoryOptions = {},
): Promise<RunToDirectoryResult> {
  const tokenizerDir =
    tokenizerFrom ??
    (options.modelFormat === 'huggingface' &&
    options.modelSource &&
    (await isDirectory(options.modelSource))
      ? options.modelSource
      : undefined);
  const extraFiles = new Map<string, Uint8Array>();
  if (tokenizerDir !== undefined) {
    if (!(await isDirectory(tokenizerDir)))
      throw new Error(`${tokenizerDir}: not a folder (the tokenizer files are copied from it)`);
    for (const name of TOKENIZER_FILES) {
      const bytes = await readFile(join(tokenizerDir, name)).catch(() => undefined);
      if (bytes)
        extraFiles.set(name, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    }
  }
  const sink = await DirectorySink.create(outDir, { overwrite: force });
  try {
    const result = await streamline({
      ...options,
      pairStorage: options.pairStorage ?? (() => FilePairStorage.create()),
    });
    const { signal, onProgress } = options;
    signal?.throwIfAborted();
    const { checkpoint } = await saveStreamlined(result, sink, {
      ...save,
      extraFiles,
      renderReport,
      onProgress: (done, total) => {
        signal?.throwIfAborted();
        onProgress?.({ stage: 'export', done, total });
      },
    });
    signal?.throwIfAborted();
    await sink.commit();
    return { ...result, outDir, checkpoint, tokenizerFiles: [...extraFiles.keys()] };
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}
