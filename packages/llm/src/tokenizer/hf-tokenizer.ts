/**
 * Hugging Face `tokenizer.json` tokenizers, through `@huggingface/tokenizers`
 * (pure JS, works in browsers and Node). The library is imported lazily so
 * that models using tok*.bin / tokenizer.model never load it.
 *
 * BOS/EOS are added here, not by the tokenizer.json post-processor, so that
 * `encode(text, { bos, eos })` means the same for every Tokenizer.
 */
import type { Tokenizer as HfTokenizerImpl } from '@huggingface/tokenizers';
import type { EncodeOptions, Tokenizer } from './tokenizer.js';

type Json = Record<string, unknown>;

/** Content of a special-token entry in tokenizer_config.json (string or AddedToken object). */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as Json).content === 'string') {
    return (value as Json).content as string;
  }
  return undefined;
}

export class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly bosId: number;
  readonly eosId: number;
  /** tokenizer_config.json `add_bos_token` (default true when a BOS token exists). */
  readonly addBosByDefault: boolean;
  readonly addEosByDefault: boolean;

  private constructor(
    private readonly impl: HfTokenizerImpl,
    config: Json,
    name: string,
  ) {
    this.vocabSize = impl.get_vocab(true).size;
    const idOf = (key: string): number => {
      const content = tokenContent(config[key]);
      if (content === undefined) return -1;
      const id = impl.token_to_id(content);
      if (id === undefined)
        throw new Error(`${name}: ${key} ${JSON.stringify(content)} is not in the vocabulary`);
      return id;
    };
    this.bosId = idOf('bos_token');
    this.eosId = idOf('eos_token');
    this.addBosByDefault =
      config.add_bos_token === undefined ? this.bosId >= 0 : config.add_bos_token === true;
    this.addEosByDefault = config.add_eos_token === true;
  }

  /**
   * Builds a tokenizer from parsed `tokenizer.json` and `tokenizer_config.json`.
   * @param name used in error messages (e.g. the model directory).
   */
  static async fromJson(
    tokenizerJson: unknown,
    tokenizerConfig: unknown = {},
    name = 'tokenizer.json',
  ): Promise<HfTokenizer> {
    if (typeof tokenizerJson !== 'object' || tokenizerJson === null)
      throw new Error(`${name}: expected a JSON object`);
    const config = (
      typeof tokenizerConfig === 'object' && tokenizerConfig !== null ? tokenizerConfig : {}
    ) as Json;
    const { Tokenizer: Impl } = await import('@huggingface/tokenizers');
    let impl: HfTokenizerImpl;
    try {
      impl = new Impl(tokenizerJson, config);
    } catch (error) {
      throw new Error(`${name}: cannot build the tokenizer (${(error as Error).message})`);
    }
    return new HfTokenizer(impl, config, name);
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids = this.impl.encode(text, { add_special_tokens: false }).ids;
    const bos = options.bos ?? this.addBosByDefault;
    const eos = options.eos ?? this.addEosByDefault;
    return [
      ...(bos && this.bosId >= 0 ? [this.bosId] : []),
      ...ids,
      ...(eos && this.eosId >= 0 ? [this.eosId] : []),
    ];
  }

  decode(ids: readonly number[]): string {
    return this.impl.decode([...ids], { skip_special_tokens: true });
  }

  /**
   * Text added by `id` after `prev`: the difference between decoding both and
   * decoding `prev` alone (decoders strip or merge spaces at the start, so a
   * token cannot be decoded on its own mid-sequence).
   */
  decodeToken(prev: number, id: number): string {
    if (prev < 0 || prev === this.bosId) return this.decode([id]);
    const before = this.decode([prev]);
    const both = this.decode([prev, id]);
    return both.startsWith(before) ? both.slice(before.length) : this.decode([id]);
  }

  /** The piece string of a token as stored in the vocabulary. */
  idToToken(id: number): string | undefined {
    return this.impl.id_to_token(id);
  }
}
