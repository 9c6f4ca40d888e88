/**
 * The tokenizer of karpathy/llama2.c, reproducing run.c's `encode`/`decode`
 * exactly (it is what the stories* checkpoints and their reference outputs
 * use). Differences from SentencePiece proper: no whitespace normalisation,
 * a " " dummy-prefix token, and byte fallback decided per code point before
 * merging.
 *
 * tok*.bin format: int32 max_token_length, then for each token float32 score,
 * int32 byte length, the bytes. The vocabulary size is not stored; it is
 * whatever the file holds (run.c takes it from the model header).
 */
import type { GgufFile } from '../io/gguf.js';
import { binaryStringToBytes, bytesToBinaryString, parseBytePiece } from './byte-strings.js';
import { mergeByScore } from './score-merge.js';
import type { EncodeOptions, Tokenizer } from './tokenizer.js';

export interface Llama2cTokenizerOptions {
  bosId?: number;
  eosId?: number;
  /** Ids that decode to no text (BOS/EOS/UNK control tokens). Default: bos and eos. */
  controlIds?: Iterable<number>;
  maxTokenLength?: number;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

export class Llama2cTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  /** Longest piece in bytes (stored in tok*.bin; informational). */
  readonly maxTokenLength: number;
  /** Pieces as binary strings (see byte-strings.ts). */
  private readonly pieces: string[];
  private readonly pieceBytes: Uint8Array[];
  private readonly scores: Float32Array;
  private readonly idOf = new Map<string, number>();
  private readonly controlIds: Set<number>;
  /** Token id for each raw byte (byte fallback). */
  private readonly byteIds: number[];

  /**
   * @param pieces each token's raw bytes
   * @param scores merge priority of each token (higher merges first)
   */
  constructor(
    pieces: readonly Uint8Array[],
    scores: ArrayLike<number>,
    options: Llama2cTokenizerOptions = {},
  ) {
    if (pieces.length !== scores.length) {
      throw new Error(`llama2.c tokenizer: ${pieces.length} pieces but ${scores.length} scores`);
    }
    this.vocabSize = pieces.length;
    this.bosId = options.bosId ?? 1;
    this.eosId = options.eosId ?? 2;
    this.pieceBytes = [...pieces];
    this.pieces = pieces.map(bytesToBinaryString);
    this.scores = Float32Array.from(scores);
    this.maxTokenLength = options.maxTokenLength ?? Math.max(0, ...pieces.map((p) => p.length));
    // run.c binary-searches a sorted copy; with duplicate pieces the first id is kept here.
    this.pieces.forEach((piece, id) => {
      if (!this.idOf.has(piece)) this.idOf.set(piece, id);
    });
    this.controlIds = new Set(options.controlIds ?? [this.bosId, this.eosId]);
    // run.c hard-codes byte b → id b + 3 (the SentencePiece layout); prefer the actual <0xXX> piece if present.
    this.byteIds = Array.from({ length: 256 }, (_, b) => {
      const piece = `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
      return this.idOf.get(piece) ?? b + 3;
    });
  }

  /** Parses a llama2.c `tok*.bin` file. */
  static fromTokBin(
    bytes: Uint8Array,
    fileName = 'tokenizer.bin',
    options: Llama2cTokenizerOptions = {},
  ): Llama2cTokenizer {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < 4) throw new Error(`${fileName}: too short for a llama2.c tokenizer`);
    const maxTokenLength = view.getInt32(0, true);
    if (maxTokenLength <= 0 || maxTokenLength > 1024) {
      throw new Error(
        `${fileName}: max_token_length ${maxTokenLength} is not plausible (not a llama2.c tokenizer?)`,
      );
    }
    const pieces: Uint8Array[] = [];
    const scores: number[] = [];
    let at = 4;
    while (at < bytes.byteLength) {
      if (at + 8 > bytes.byteLength)
        throw new Error(`${fileName}: truncated at token ${pieces.length} (offset ${at})`);
      const score = view.getFloat32(at, true);
      const length = view.getInt32(at + 4, true);
      at += 8;
      if (length < 0 || length > maxTokenLength || at + length > bytes.byteLength) {
        throw new Error(
          `${fileName}: token ${pieces.length} has invalid length ${length} at offset ${at - 4}`,
        );
      }
      pieces.push(bytes.slice(at, at + length));
      scores.push(score);
      at += length;
    }
    return new Llama2cTokenizer(pieces, scores, { maxTokenLength, ...options });
  }

  /**
   * Builds from GGUF metadata of a SentencePiece-style ("llama") vocabulary.
   * Pieces use U+2581 "▁" for spaces; they are turned back into spaces as
   * llama2.c's tokenizer export does, so encoding follows run.c.
   */
  static fromGguf(gguf: Pick<GgufFile, 'kv' | 'source'>): Llama2cTokenizer {
    const file = gguf.source.name;
    const model = gguf.kv.get('tokenizer.ggml.model');
    if (model !== 'llama') {
      throw new Error(
        `${file}: tokenizer.ggml.model ${JSON.stringify(model)} is not supported (only "llama")`,
      );
    }
    const tokens = gguf.kv.get('tokenizer.ggml.tokens');
    const scores = gguf.kv.get('tokenizer.ggml.scores');
    if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) {
      throw new Error(`${file}: metadata "tokenizer.ggml.tokens" must be an array of strings`);
    }
    if (!(scores instanceof Float32Array) || scores.length !== tokens.length) {
      throw new Error(
        `${file}: metadata "tokenizer.ggml.scores" must be ${tokens.length} float32 values`,
      );
    }
    const types = gguf.kv.get('tokenizer.ggml.token_type');
    const controlIds: number[] = [];
    if (types instanceof Int32Array || types instanceof Uint32Array) {
      // 2 = unknown, 3 = control (llama.cpp token types)
      types.forEach((type, id) => {
        if (type === 2 || type === 3) controlIds.push(id);
      });
    }
    const number = (key: string, fallback: number) => {
      const v = gguf.kv.get(key);
      return typeof v === 'number' ? v : fallback;
    };
    const bosId = number('tokenizer.ggml.bos_token_id', 1);
    const eosId = number('tokenizer.ggml.eos_token_id', 2);
    const pieces = (tokens as string[]).map((t) => utf8Encoder.encode(t.replaceAll('\u2581', ' ')));
    return new Llama2cTokenizer(pieces, scores, {
      bosId,
      eosId,
      controlIds: [...controlIds, bosId, eosId],
    });
  }

  /** The raw bytes of a token's piece. */
  pieceOf(id: number): Uint8Array {
    const bytes = this.pieceBytes[id];
    if (!bytes)
      throw new Error(
        `llama2.c tokenizer: token id ${id} is outside the vocabulary (size ${this.vocabSize})`,
      );
    return bytes;
  }

  /** Score of a token. */
  scoreOf(id: number): number {
    return this.scores[id] as number;
  }

  /** Encodes like run.c's `encode(t, text, bos, eos, ...)`. BOS defaults to true. */
  encode(text: string, options: EncodeOptions = {}): number[] {
    const bos = options.bos ?? true;
    const eos = options.eos ?? false;
    const symbols: { piece: string; id: number }[] = [];
    const push = (id: number) => symbols.push({ piece: this.pieces[id] as string, id });
    if (bos) push(this.bosId);
    const bytes = utf8Encoder.encode(text);
    if (bytes.length > 0) {
      // run.c: "add_dummy_prefix is true by default" — a " " token before the text.
      const space = this.idOf.get(' ');
      if (space === undefined)
        throw new Error('llama2.c tokenizer: vocabulary has no " " piece for the dummy prefix');
      push(space);
    }
    // Group bytes into UTF-8 code points (at most 4 bytes, as run.c does).
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      const nextIsContinuation = i + 1 < bytes.length && ((bytes[i + 1] as number) & 0xc0) === 0x80;
      if (nextIsContinuation && i + 1 - start < 4) continue;
      const codePoint = bytes.subarray(start, i + 1);
      const id = this.idOf.get(bytesToBinaryString(codePoint));
      if (id !== undefined) push(id);
      else for (const b of codePoint) push(this.byteIds[b] as number); // byte fallback
      start = i + 1;
    }
    const merged = mergeByScore(symbols, (piece) => {
      const id = this.idOf.get(piece);
      return id === undefined ? undefined : { id, score: this.scores[id] as number };
    });
    const ids = merged.map((s) => s.id);
    if (eos) ids.push(this.eosId);
    return ids;
  }

  /**
   * Bytes printed by run.c's `decode(prev, id)`: the piece, minus its leading
   * space when it follows BOS, with `<0xXX>` turned into that raw byte.
   */
  decodeTokenBytes(prev: number, id: number): Uint8Array {
    let piece = this.pieces[id];
    if (piece === undefined)
      throw new Error(
        `llama2.c tokenizer: token id ${id} is outside the vocabulary (size ${this.vocabSize})`,
      );
    if (prev === this.bosId && piece.startsWith(' ')) piece = piece.slice(1);
    const byte = parseBytePiece(piece);
    return byte === undefined ? binaryStringToBytes(piece) : Uint8Array.of(byte);
  }

  decodeToken(prev: number, id: number): string {
    if (this.controlIds.has(id)) return '';
    return utf8Decoder.decode(this.decodeTokenBytes(prev, id));
  }

  /**
   * Decodes a sequence as run.c prints it. The sequence start counts as
   * following BOS (so decode(encode(text)) === text for ordinary text), and
   * control tokens produce no text.
   */
  decode(ids: readonly number[]): string {
    const chunks: Uint8Array[] = [];
    let prev = this.bosId;
    for (const id of ids) {
      if (!this.controlIds.has(id)) chunks.push(this.decodeTokenBytes(prev, id));
      prev = id;
    }
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return utf8Decoder.decode(out);
  }
}
