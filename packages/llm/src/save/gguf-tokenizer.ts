/**
 * The `tokenizer.ggml.*` metadata of a GGUF file, built from a model's tokenizer files the way
 * llama.cpp's convert_hf_to_gguf.py builds it:
 *
 * - `tokenizer.model` (SentencePiece) → model `llama`: every piece as written (with its `▁`), its
 *   score, and its SentencePiece type, whose numbering llama.cpp's token types share (1 normal,
 *   2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte). A vocabulary shorter than the
 *   model's embedding is padded with `[PAD{id}]` tokens of type unused, as llama.cpp pads it.
 * - `tokenizer.json` with a byte-level BPE model → model `gpt2`: tokens by id, merges as
 *   "left right" strings, added special tokens typed control and other added tokens user-defined.
 *
 * `tokenizer.model` wins when both are present, as in llama.cpp's LLaMA converter.
 */

import type { LlamaConfig } from '../config/llama-config.js';
import type { GgufValue } from '../io/gguf.js';
import type { GgufEntry, GgufEntryValue } from '../io/gguf-writer.js';
import { parseSentencePieceModel } from '../tokenizer/sentencepiece-model.js';

/** llama.cpp token types (gguf-py `TokenType`). */
const TOKEN_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 };

/**
 * The tokenizer metadata for `files` (keyed by file name: tokenizer.model, tokenizer.json,
 * tokenizer_config.json), or `undefined` when neither tokenizer file is there. Special-token ids
 * come from the model's configuration, as llama.cpp takes them from config.json.
 */
export function ggufTokenizerEntries(
  files: ReadonlyMap<string, Uint8Array>,
  config: LlamaConfig,
): GgufEntry[] | undefined {
  const spm = files.get('tokenizer.model');
  const json = files.get('tokenizer.json');
  const entries = spm
    ? sentencePieceEntries(spm, config.vocabSize)
    : json
      ? bpeEntries(json, config.vocabSize)
      : undefined;
  if (!entries) return undefined;
  const ids = new Map(entries.ids);
  if (config.bosTokenId !== null) ids.set('bos', config.bosTokenId);
  const eos = Array.isArray(config.eosTokenId) ? config.eosTokenId[0] : config.eosTokenId;
  if (eos !== undefined) ids.set('eos', eos);
  const out = [...entries.entries];
  const names: Record<string, string> = {
    bos: 'bos_token_id',
    eos: 'eos_token_id',
    unk: 'unknown_token_id',
    pad: 'padding_token_id',
  };
  for (const [role, id] of ids)
    out.push({ key: `tokenizer.ggml.${names[role]}`, value: { type: 'u32', value: id } });
  out.push(...addSpecialEntries(files.get('tokenizer_config.json')));
  return out;
}

interface TokenizerEntries {
  entries: GgufEntry[];
  /** Special-token ids the tokenizer file defines (bos, eos, unk, pad). */
  ids: [string, number][];
}

function sentencePieceEntries(bytes: Uint8Array, vocabSize: number): TokenizerEntries {
  const spm = parseSentencePieceModel(bytes, 'tokenizer.model');
  const tokens = spm.pieces.map((p) => p.piece);
  const scores = spm.pieces.map((p) => p.score);
  const types = spm.pieces.map((p) => p.type as number);
  if (tokens.length > vocabSize)
    throw new Error(
      `tokenizer.model has ${tokens.length} pieces, more than the model's vocabulary of ${vocabSize}; it is not this model's tokenizer`,
    );
  for (let id = tokens.length; id < vocabSize; id++) {
    tokens.push(`[PAD${id}]`);
    scores.push(-1000);
    types.push(TOKEN_TYPE.UNUSED);
  }
  const { unkId, bosId, eosId, padId } = spm.trainer;
  const ids: [string, number][] = [];
  for (const [role, id] of [
    ['unk', unkId],
    ['bos', bosId],
    ['eos', eosId],
    ['pad', padId],
  ] as const)
    if (id >= 0) ids.push([role, id]);
  return {
    entries: [
      { key: 'tokenizer.ggml.model', value: { type: 'string', value: 'llama' } },
      { key: 'tokenizer.ggml.tokens', value: { type: 'string[]', value: tokens } },
      { key: 'tokenizer.ggml.scores', value: { type: 'f32[]', value: scores } },
      { key: 'tokenizer.ggml.token_type', value: { type: 'i32[]', value: types } },
    ],
    ids,
  };
}

interface TokenizerJson {
  model?: {
    type?: string;
    vocab?: Record<string, number>;
    merges?: (string | [string, string])[];
    byte_fallback?: boolean;
  };
  added_tokens?: { id: number; content: string; special?: boolean }[];
}

function bpeEntries(bytes: Uint8Array, vocabSize: number): TokenizerEntries {
  const json = JSON.parse(new TextDecoder().decode(bytes)) as TokenizerJson;
  const model = json.model;
  if (model?.type !== 'BPE' || !model.vocab || !model.merges)
    throw new Error(
      `tokenizer.json: model type ${JSON.stringify(model?.type)} cannot be written to GGUF; only a BPE model with vocab and merges can (or give the SentencePiece tokenizer.model)`,
    );
  if (model.byte_fallback)
    throw new Error(
      'tokenizer.json: a SentencePiece-style BPE (byte_fallback) is written to GGUF from its tokenizer.model; give that file (--tokenizer tokenizer.model)',
    );
  const tokens: (string | undefined)[] = new Array(vocabSize);
  const types: number[] = new Array(vocabSize).fill(TOKEN_TYPE.NORMAL);
  const place = (content: string, id: number, what: string) => {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
      throw new Error(
        `tokenizer.json: ${what} ${JSON.stringify(content)} has id ${id}, outside the model's vocabulary 0..${vocabSize - 1}`,
      );
    tokens[id] = content;
  };
  for (const [content, id] of Object.entries(model.vocab)) place(content, id, 'token');
  for (const added of json.added_tokens ?? []) {
    place(added.content, added.id, 'added token');
    types[added.id] = added.special ? TOKEN_TYPE.CONTROL : TOKEN_TYPE.USER_DEFINED;
  }
  // Ids nothing names (an embedding padded past the vocabulary) get llama.cpp's placeholders.
  const filled = Array.from(tokens, (t, id) => {
    if (t !== undefined) return t;
    types[id] = TOKEN_TYPE.UNUSED;
    return `[PAD${id}]`;
  });
  const merges = model.merges.map((m) => (typeof m === 'string' ? m : m.join(' ')));
  return {
    entries: [
      { key: 'tokenizer.ggml.model', value: { type: 'string', value: 'gpt2' } },
      { key: 'tokenizer.ggml.pre', value: { type: 'string', value: 'default' } },
      { key: 'tokenizer.ggml.tokens', value: { type: 'string[]', value: filled } },
      { key: 'tokenizer.ggml.token_type', value: { type: 'i32[]', value: types } },
      { key: 'tokenizer.ggml.merges', value: { type: 'string[]', value: merges } },
    ],
    ids: [],
  };
}

/** `tokenizer.ggml.add_bos_token` / `add_eos_token` from tokenizer_config.json, when it says. */
function addSpecialEntries(bytes: Uint8Array | undefined): GgufEntry[] {
  if (!bytes) return [];
  const config = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  const out: GgufEntry[] = [];
  for (const which of ['bos', 'eos'] as const) {
    const value = config[`add_${which}_token`];
    if (typeof value === 'boolean')
      out.push({ key: `tokenizer.ggml.add_${which}_token`, value: { type: 'bool', value } });
  }
  return out;
}

/**
 * The `tokenizer.*` metadata of a GGUF file as writer entries, to carry a GGUF's tokenizer into a
 * GGUF written from it (ids as u32, scores f32, token types i32, as llama.cpp writes them).
 * Values of other shapes are skipped.
 */
export function ggufTokenizerEntriesFromKv(kv: ReadonlyMap<string, GgufValue>): GgufEntry[] {
  const out: GgufEntry[] = [];
  for (const [key, value] of kv) {
    if (!key.startsWith('tokenizer.')) continue;
    const entry = entryOf(value);
    if (entry) out.push({ key, value: entry });
  }
  return out;
}

function entryOf(value: GgufValue): GgufEntryValue | undefined {
  if (typeof value === 'string') return { type: 'string', value };
  if (typeof value === 'boolean') return { type: 'bool', value };
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffffff)
    return { type: 'u32', value };
  if (value instanceof Float32Array) return { type: 'f32[]', value };
  if (value instanceof Int32Array || value instanceof Uint32Array)
    return { type: 'i32[]', value: Int32Array.from(value) };
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return { type: 'string[]', value: value as string[] };
  return undefined;
}
