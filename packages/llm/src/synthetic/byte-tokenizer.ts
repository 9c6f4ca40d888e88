/**
 * A byte-level tokenizer for a random-weight checkpoint: `tokenizer.json` (GPT-2 style ByteLevel
 * BPE with no merges, so every UTF-8 byte is one token) and `tokenizer_config.json`, with ids
 * inside the config's vocabulary. The BOS/EOS tokens sit at the config's ids; the 256 byte tokens
 * take the lowest ids left. Text then tokenizes and commands that read text (eval, score, prune)
 * run on the checkpoint as on a real one; its other ids are simply never produced.
 */
import type { HfConfigJson } from './checkpoint-presets.js';

/** The printable character GPT-2's byte-level BPE writes for each byte. */
function byteToUnicode(): string[] {
  const out: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable =
      (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out[b] = String.fromCodePoint(printable ? b : 256 + extra++);
  }
  return out;
}

function firstId(value: unknown): number | undefined {
  const id = Array.isArray(value) ? value[0] : value;
  return Number.isSafeInteger(id) && (id as number) >= 0 ? (id as number) : undefined;
}

/** `tokenizer.json` and `tokenizer_config.json` for `config`'s vocabulary and special ids. */
export function byteLevelTokenizerFiles(config: HfConfigJson): {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
} {
  const vocabSize = config.vocab_size as number;
  const bos = firstId(config.bos_token_id);
  const eos = firstId(config.eos_token_id);
  const specials = new Map<number, string>();
  if (bos !== undefined) specials.set(bos, bos === eos ? '<|endoftext|>' : '<s>');
  if (eos !== undefined && eos !== bos) specials.set(eos, '</s>');
  if (vocabSize < 256 + specials.size)
    throw new Error(
      `vocab_size ${vocabSize} is too small for a byte-level tokenizer (256 bytes + ${specials.size} special tokens)`,
    );
  for (const id of specials.keys())
    if (id >= vocabSize)
      throw new Error(`special token id ${id} is outside the vocabulary (vocab_size ${vocabSize})`);

  const vocab: Record<string, number> = {};
  let id = 0;
  for (const char of byteToUnicode()) {
    while (specials.has(id)) id++;
    vocab[char] = id++;
  }
  for (const [specialId, content] of specials) vocab[content] = specialId;

  const byteLevel = { add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [...specials].map(([specialId, content]) => ({
      id: specialId,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', ...byteLevel },
    post_processor: null,
    decoder: { type: 'ByteLevel', ...byteLevel },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: [],
    },
  };
  const tokenizerConfig = {
    add_bos_token: bos !== undefined && bos !== eos,
    add_eos_token: false,
    ...(bos !== undefined ? { bos_token: specials.get(bos) } : {}),
    ...(eos !== undefined ? { eos_token: specials.get(eos) } : {}),
    model_max_length: config.max_position_embeddings ?? 2048,
    tokenizer_class: 'PreTrainedTokenizerFast',
    clean_up_tokenization_spaces: false,
  };
  return { tokenizerJson, tokenizerConfig };
}
