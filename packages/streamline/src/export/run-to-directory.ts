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
import type { StreamlineOptions } from '../pipeline/options.js';
import { type StreamlineResult, streamline } from '../pipeline/streamline.js';
import { FilePairStorage } from '../training/node-file-pair-storage.js';
import { type SaveStreamlinedOptions, saveStreamlined } from './save-streamlined.js';
import { TOKENIZER_FILES } from './tokenizer-files.js';

export interface RunToDirectoryOptions {
  /** Replace an existing output path. Default false: an existing path is refused before any work. */
  force?: boolean;
  /**
   * Tokenizer files to write beside the checkpoint, by file name, as bytes already read (the CLI
   * finds them beside a llama2.c or GGUF model, or from --tokenizer). Default: the
   * {@link TOKENIZER_FILES} of the model's folder when the model is a Hugging Face directory
   * (`modelFormat` 'huggingface' and `modelSource` a folder); none otherwise.
   */
  tokenizerFiles?: ReadonlyMap<string, Uint8Array>;
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
  { force = false, tokenizerFiles, save = {}, renderReport }: RunToDirectoryOptions = {},
): Promise<RunToDirectoryResult> {
  const extraFiles = new Map(tokenizerFiles ?? (await modelFolderTokenizer(options)));
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

/** The tokenizer files of a Hugging Face model folder; none for other sources. */
async function modelFolderTokenizer(options: StreamlineOptions): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const dir = options.modelSource;
  if (options.modelFormat !== 'huggingface' || dir === undefined) return files;
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) return files;
  for (const name of TOKENIZER_FILES) {
    const bytes = await readFile(join(dir, name)).catch(() => undefined);
    if (bytes) files.set(name, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }
  return files;
}
