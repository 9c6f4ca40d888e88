/**
 * SentencePiece BPE encoder/decoder over a parsed `tokenizer.model`,
 * reproducing what the SentencePiece library (and HF's LlamaTokenizer) does
 * for LLaMA-style models:
 *
 *  1. normalise: (remove_extra_whitespaces) drop leading/trailing spaces and
 *     collapse runs of spaces; (add_dummy_prefix) prepend a space to non-empty
 *     text; (escape_whitespaces) spaces become "▁" (U+2581);
 *  2. split into Unicode code points (user-defined pieces kept whole);
 *  3. merge the adjacent pair with the highest piece score, leftmost first,
 *     until no merge is in the vocabulary (score-merge.ts);
 *  4. pieces not in the vocabulary become their UTF-8 bytes `<0xXX>` when
 *     byte_fallback is on, else `<unk>`.
 *
 * Only the identity normaliser is supported (LLaMA and llama2.c models have no
 * precompiled NFKC table); other models are rejected at construction.
 * Like SentencePiece, only the ASCII space counts as whitespace here.
 */
import { parseBytePiece } from './byte-strings.js';
import { type MergeSymbol, mergeByScore } from './score-merge.js';
import {
  PieceType,
  type SentencePieceModel,
  SentencePieceModelType,
} from './sentencepiece-model.js';
import type { EncodeOptions, Tokenizer } from './tokenizer.js';

const SPACE_SYMBOL = '\u2581';
/** What SentencePiece prints for an unknown token. */
const UNKNOWN_TEXT = ' \u2047 ';
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8');

export class SentencePieceTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly unkId: number;
  /** Whether `encode` adds BOS when the caller does not say (HF `add_bos_token`). */
  readonly addBosByDefault: boolean;
  /** Pieces that merges may produce, with their ids and scores. */
  private readonly mergeable = new Map<string, { id: number; score: number }>();
  private readonly userDefined: string[];
  private readonly byteIds = new Map<number, number>();
  /** Decoded bytes of each id (▁ → space, <0xXX> → byte, control → none). */
  private readonly idBytes: Uint8Array[];
  private readonly silentIds = new Set<number>();

  constructor(
    readonly model: SentencePieceModel,
    fileName = 'tokenizer.model',
    options: { addBosByDefault?: boolean } = {},
  ) {
    const { trainer, normalizer } = model;
    if (trainer.modelType !== SentencePieceModelType.BPE) {
      throw new Error(
        `${fileName}: SentencePiece model_type ${trainer.modelType} is not supported (only BPE = 2)`,
      );
    }
    if (normalizer.precompiledCharsmapBytes > 0) {
      throw new Error(
        `${fileName}: normalizer "${normalizer.name}" uses a precompiled charsmap, which is not supported (identity only)`,
      );
    }
    if (trainer.treatWhitespaceAsSuffix)
      throw new Error(`${fileName}: treat_whitespace_as_suffix is not supported`);

    this.vocabSize = model.pieces.length;
    this.bosId = trainer.bosId;
    this.eosId = trainer.eosId;
    this.unkId = trainer.unkId;
    this.addBosByDefault = options.addBosByDefault ?? true;
    this.userDefined = [];
    model.pieces.forEach(({ piece, score, type }, id) => {
      if (
        (type === PieceType.NORMAL || type === PieceType.USER_DEFINED) &&
        !this.mergeable.has(piece)
      ) {
        this.mergeable.set(piece, { id, score });
      }
      if (type === PieceType.USER_DEFINED) this.userDefined.push(piece);
      if (type === PieceType.BYTE) {
        const byte = parseBytePiece(piece);
        if (byte !== undefined) this.byteIds.set(byte, id);
      }
      if (type === PieceType.CONTROL || type === PieceType.UNUSED) this.silentIds.add(id);
    });
    // Longest first, so prefix matching is greedy-longest as in SentencePiece's PrefixMatcher.
    this.userDefined.sort((a, b) => b.length - a.length);
    this.idBytes = model.pieces.map(({ piece, type }) => {
      if (type === PieceType.BYTE) return Uint8Array.of(parseBytePiece(piece) ?? 0);
      if (type === PieceType.UNKNOWN) return utf8Encoder.encode(UNKNOWN_TEXT);
      if (type === PieceType.CONTROL || type === PieceType.UNUSED) return new Uint8Array(0);
      return utf8Encoder.encode(piece.replaceAll(SPACE_SYMBOL, ' '));
    });
  }

  /** The normalised text that is segmented (spaces already escaped to ▁). */
  normalize(text: string): string {
    const { removeExtraWhitespaces, addDummyPrefix, escapeWhitespaces } = this.model.normalizer;
    let s = text;
    if (removeExtraWhitespaces) s = s.replace(/^ +| +$/g, '').replace(/ {2,}/g, ' ');
    if (s.length === 0) return '';
    if (addDummyPrefix) s = ` ${s}`;
    return escapeWhitespaces ? s.replaceAll(' ', SPACE_SYMBOL) : s;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids: number[] = [];
    if ((options.bos ?? this.addBosByDefault) && this.bosId >= 0) ids.push(this.bosId);
    const merged = mergeByScore(this.initialSymbols(this.normalize(text)), (piece) =>
      this.mergeable.get(piece),
    );
    for (const symbol of merged) {
      if (symbol.id !== this.unkId || !this.model.trainer.byteFallback) {
        ids.push(symbol.id);
        continue;
      }
      for (const byte of utf8Encoder.encode(symbol.piece))
        ids.push(this.byteIds.get(byte) ?? this.unkId);
    }
    if (options.eos && this.eosId >= 0) ids.push(this.eosId);
    return ids;
  }

  private initialSymbols(normalized: string): MergeSymbol[] {
    const symbols: MergeSymbol[] = [];
    let at = 0;
    while (at < normalized.length) {
      const user = this.userDefined.find((p) => normalized.startsWith(p, at));
      if (user) {
        symbols.push({ piece: user, id: this.mergeable.get(user)?.id ?? this.unkId, frozen: true });
        at += user.length;
        continue;
      }
      const codePoint = String.fromCodePoint(normalized.codePointAt(at) as number);
      symbols.push({ piece: codePoint, id: this.mergeable.get(codePoint)?.id ?? this.unkId });
      at += codePoint.length;
    }
    return symbols;
  }

  private bytesOf(id: number): Uint8Array {
    const bytes = this.idBytes[id];
    if (!bytes)
      throw new Error(
        `SentencePiece: token id ${id} is outside the vocabulary (size ${this.vocabSize})`,
      );
    return bytes;
  }

  decodeToken(prev: number, id: number): string {
    const bytes = this.bytesOf(id);
    const stripSpace =
      prev === this.bosId && this.model.normalizer.addDummyPrefix && bytes[0] === 0x20;
    return utf8Decoder.decode(stripSpace ? bytes.subarray(1) : bytes);
  }

  /** Decodes ids to text; control tokens are silent and the dummy-prefix space is removed. */
  decode(ids: readonly number[]): string {
    const chunks: Uint8Array[] = [];
    let length = 0;
    let first = true;
    for (const id of ids) {
      const bytes = this.bytesOf(id);
      if (this.silentIds.has(id) || bytes.length === 0) continue;
      // SentencePiece drops the space of the dummy prefix from the first piece only.
      const chunk =
        first && this.model.normalizer.addDummyPrefix && bytes[0] === 0x20
          ? bytes.subarray(1)
          : bytes;
      first = false;
      chunks.push(chunk);
      length += chunk.length;
    }
    const out = new Uint8Array(length);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    return utf8Decoder.decode(out);
  }
}
