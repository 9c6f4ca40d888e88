/**
 * `convert IN OUT --to gguf`: the model written as one llama.cpp GGUF file (architecture `llama`),
 * with the tokenizer's metadata from tokenizer.model / tokenizer.json (--tokenizer, or beside IN),
 * or, for a .gguf input, the input's own. A GGUF without a tokenizer does not load in llama.cpp,
 * so a model with none is refused before anything is loaded. Written to a temporary file beside
 * OUT and renamed into place.
 */
import { stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { ggufTokenizerEntriesFromKv, parseGguf, saveGgufModel } from '@llm-streamline/llm';
import { FileSink, openFileByteSource } from '@llm-streamline/llm/node';
import { CancelledError, CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { hfTokenizerFiles, loadWeights } from '../model-input.js';
import { formatBytes } from '../output/format.js';
import type { Reporter } from '../output/reporter.js';

export interface GgufConversion {
  input: string;
  out: string;
  dtype: 'f32' | 'f16' | 'bf16';
  force: boolean;
  tokenizerPath: string | undefined;
}

/** Converts; returns the command's result object (the JSON `--json` prints). */
export async function convertToGguf(
  c: GgufConversion,
  io: CliIo,
  reporter: Reporter,
): Promise<Record<string, unknown>> {
  const tokenizerFiles = await hfTokenizerFiles(c.input, c.tokenizerPath);
  const tokenizer = tokenizerFiles.has('tokenizer.model')
    ? 'tokenizer.model'
    : tokenizerFiles.has('tokenizer.json')
      ? 'tokenizer.json'
      : undefined;
  const inputKv = tokenizer === undefined ? await ggufTokenizerOf(c.input) : undefined;
  if (tokenizer === undefined && inputKv === undefined)
    throw new CliError(
      `no tokenizer.model or tokenizer.json found for ${c.input}; a GGUF file needs its tokenizer`,
      'give --tokenizer PATH (a tokenizer.model, a tokenizer.json, or the folder holding one)',
    );
  const loaded = await loadWeights(c.input, { reporter });
  const sink = await FileSink.create(c.out, { overwrite: c.force });
  try {
    await saveGgufModel(loaded.model, sink, c.out, {
      dtype: c.dtype.toUpperCase() as 'F32' | 'F16' | 'BF16',
      // llama.cpp shows general.name when it loads the file: the output's name says which model.
      name: basename(c.out, extname(c.out)),
      ...(inputKv ? { tokenizerEntries: inputKv } : { tokenizerFiles }),
      onProgress: (done, total) => {
        if (io.signal.aborted) throw new CancelledError();
        reporter.progress({ stage: 'export', done, total, unit: 'tensors' });
      },
    });
    io.signal.throwIfAborted();
    await sink.commit();
  } catch (e) {
    await sink.abort();
    throw e;
  } finally {
    loaded.model.dispose();
  }
  const bytes = (await stat(c.out)).size;
  const tokenizerSource = tokenizer ?? 'the input GGUF';
  const result = {
    command: 'convert',
    to: 'gguf',
    input: c.input,
    inputFormat: loaded.format,
    outFile: c.out,
    dtype: c.dtype,
    bytes,
    tokenizer: tokenizerSource,
  };
  reporter.result(
    result,
    [
      `converted ${c.input} (${loaded.format}) to GGUF, matrices ${c.dtype}:`,
      `  ${c.out.padEnd(40)} ${formatBytes(bytes).padStart(10)}`,
      `tokenizer: from ${tokenizerSource}; run it with llama.cpp (llama-cli -m ${c.out})`,
    ].join('\n'),
  );
  return result;
}

/** A .gguf input's tokenizer metadata, or undefined (not a GGUF, or it holds none). */
async function ggufTokenizerOf(input: string) {
  if (!input.toLowerCase().endsWith('.gguf')) return undefined;
  const source = await openFileByteSource(input);
  try {
    const kv = (await parseGguf(source)).kv;
    return kv.has('tokenizer.ggml.model') ? ggufTokenizerEntriesFromKv(kv) : undefined;
  } finally {
    await source.close?.();
  }
}
