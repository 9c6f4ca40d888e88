/**
 * The tokenizer interface shared by all implementations (llama2.c tok*.bin,
 * SentencePiece .model, Hugging Face tokenizer.json).
 */

export interface EncodeOptions {
  /** Prepend the BOS token. Default: the tokenizer's own convention (true for LLaMA). */
  bos?: boolean;
  /** Append the EOS token. Default false. */
  eos?: boolean;
}

export interface Tokenizer {
  readonly vocabSize: number;
  /** BOS id, or -1 when the vocabulary has none. */
  readonly bosId: number;
  /** EOS id, or -1 when the vocabulary has none. */
  readonly eosId: number;
  encode(text: string, options?: EncodeOptions): number[];
  /** Text of a sequence; special (control) tokens produce no text. */
  decode(ids: readonly number[]): string;
  /**
   * Text contributed by `id` when it follows `prev` (streaming output).
   * A leading space is dropped after BOS. A byte-fallback token that is only
   * part of a multi-byte character yields U+FFFD; use `decode` on the whole
   * sequence for exact text.
   */
  decodeToken(prev: number, id: number): string;
}
