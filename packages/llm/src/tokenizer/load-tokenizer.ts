/**
 * Picks and builds the right Tokenizer for what the user has:
 *   - a model directory: tokenizer.json (preferred, with tokenizer_config.json),
 *     else tokenizer.model (SentencePiece);
 *   - a single file: llama2.c tok*.bin, tokenizer.model, tokenizer.json, or a
 *     GGUF file (its embedded vocabulary);
 *   - an already parsed GGUF file.
 */
import { type ByteSource, readAllBytes, readAllText } from '../io/byte-source.js';
import { type GgufFile, parseGguf } from '../io/gguf.js';
import { type ModelDirectory, readJsonFile } from '../io/model-directory.js';
import { HfTokenizer } from './hf-tokenizer.js';
import { Llama2cTokenizer } from './llama2c-tokenizer.js';
import { parseSentencePieceModel } from './sentencepiece-model.js';
import { SentencePieceTokenizer } from './sentencepiece-tokenizer.js';
import type { Tokenizer } from './tokenizer.js';

/** Tokenizer of a Hugging Face style model directory. */
export async function loadTokenizerFromDirectory(dir: ModelDirectory): Promise<Tokenizer> {
  const config = await readJsonFile(dir, 'tokenizer_config.json');
  const tokenizerJson = await readJsonFile(dir, 'tokenizer.json');
  if (tokenizerJson !== undefined)
    return HfTokenizer.fromJson(tokenizerJson, config ?? {}, `${dir.name}/tokenizer.json`);
  const model = await dir.open('tokenizer.model');
  if (model) {
    try {
      const addBos = (config as Record<string, unknown> | undefined)?.add_bos_token;
      return await sentencePieceFromSource(model, typeof addBos === 'boolean' ? addBos : undefined);
    } finally {
      await model.close?.();
    }
  }
  throw new Error(
    `${dir.name}: no tokenizer found (looked for tokenizer.json and tokenizer.model)`,
  );
}

/** Tokenizer embedded in GGUF metadata (SentencePiece-style "llama" vocabularies). */
export function tokenizerFromGguf(gguf: GgufFile): Tokenizer {
  return Llama2cTokenizer.fromGguf(gguf);
}

/** llama2.c `tok*.bin` tokenizer. */
export async function loadLlama2cTokenizer(source: ByteSource): Promise<Llama2cTokenizer> {
  return Llama2cTokenizer.fromTokBin(await readAllBytes(source), source.name);
}

async function sentencePieceFromSource(
  source: ByteSource,
  addBosByDefault?: boolean,
): Promise<SentencePieceTokenizer> {
  const model = parseSentencePieceModel(await readAllBytes(source), source.name);
  return new SentencePieceTokenizer(
    model,
    source.name,
    addBosByDefault === undefined ? {} : { addBosByDefault },
  );
}

function isDirectory(input: unknown): input is ModelDirectory {
  return typeof (input as ModelDirectory).open === 'function';
}

function isGgufFile(input: unknown): input is GgufFile {
  return (input as GgufFile).kv instanceof Map;
}

/**
 * Builds a tokenizer from a model directory, a parsed GGUF file, or a single
 * tokenizer file (kind chosen by content for GGUF, else by file extension).
 */
export async function loadTokenizer(
  input: ModelDirectory | GgufFile | ByteSource,
): Promise<Tokenizer> {
  if (isGgufFile(input)) return tokenizerFromGguf(input);
  if (isDirectory(input)) return loadTokenizerFromDirectory(input);
  const source = input;
  const head = source.size >= 4 ? await source.read(0, 4) : new Uint8Array(0);
  if (new TextDecoder().decode(head) === 'GGUF') return tokenizerFromGguf(await parseGguf(source));
  const name = source.name.toLowerCase();
  if (name.endsWith('.json')) {
    let json: unknown;
    try {
      json = JSON.parse(await readAllText(source));
    } catch (error) {
      throw new Error(`${source.name}: invalid JSON (${(error as Error).message})`);
    }
    return HfTokenizer.fromJson(json, {}, source.name);
  }
  if (name.endsWith('.model')) return sentencePieceFromSource(source);
  if (name.endsWith('.bin')) return loadLlama2cTokenizer(source);
  throw new Error(
    `${source.name}: unknown tokenizer file type (expected .gguf, tokenizer.json, .model or llama2.c .bin)`,
  );
}
