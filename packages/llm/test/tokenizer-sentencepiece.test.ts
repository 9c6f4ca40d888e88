import { readFixture, readFixtureText } from '@llm-streamline/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { HfTokenizer } from '../src/tokenizer/hf-tokenizer.js';
import {
  PieceType,
  parseSentencePieceModel,
  SentencePieceModelType,
} from '../src/tokenizer/sentencepiece-model.js';
import { SentencePieceTokenizer } from '../src/tokenizer/sentencepiece-tokenizer.js';

let sp: SentencePieceTokenizer;
let hf: HfTokenizer;
let texts: string[];

/** Texts on which SentencePiece and tokenizer.json must agree. */
const EDGE_CASES = [
  '',
  'a',
  '  leading spaces',
  'trailing spaces   ',
  'multiple   inner    spaces',
  'Hello world!',
  'line one\nline two',
  'tab\tseparated\tvalues',
  'The café costs 5 €.',
  'naïve coöperation — “quotes” and ‘apostrophes’',
  'Emoji: 🙂👍🏽🚀 and flags 🇫🇷',
  '日本語のテキスト、中文文本，한국어',
  'Mojibake: donâ€™t',
  'Numbers 1234567890 and symbols #$%^&*()[]{}',
  'hair\u200a space and \u00a0 no-break space inside',
  'x'.repeat(300),
];

function paragraphs(text: string, count: number): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .slice(0, count);
}

beforeAll(async () => {
  const bytes = await readFixture('tinystories-12L/tokenizer.model');
  sp = new SentencePieceTokenizer(parseSentencePieceModel(bytes, 'tokenizer.model'));
  hf = await HfTokenizer.fromJson(
    JSON.parse(await readFixtureText('tinystories-12L/tokenizer.json')),
    JSON.parse(await readFixtureText('tinystories-12L/tokenizer_config.json')),
    'tinystories-12L/tokenizer.json',
  );
  texts = [
    ...paragraphs(await readFixtureText('text/tinystories-valid-sample.txt'), 200),
    ...paragraphs(await readFixtureText('text/tinyshakespeare.txt'), 200),
    ...EDGE_CASES,
  ];
});

describe('parseSentencePieceModel (tok512.model)', () => {
  it('reads pieces, trainer and normalizer specs', () => {
    const { model } = sp;
    expect(model.pieces).toHaveLength(512);
    expect(model.pieces.slice(0, 4)).toEqual([
      { piece: '<unk>', score: 0, type: PieceType.UNKNOWN },
      { piece: '<s>', score: 0, type: PieceType.CONTROL },
      { piece: '</s>', score: 0, type: PieceType.CONTROL },
      { piece: '<0x00>', score: 0, type: PieceType.BYTE },
    ]);
    expect(model.pieces[300]).toEqual({ piece: '\u2581ha', score: -41, type: PieceType.NORMAL });
    expect(model.trainer).toMatchObject({
      modelType: SentencePieceModelType.BPE,
      byteFallback: true,
      unkId: 0,
      bosId: 1,
      eosId: 2,
      padId: -1,
    });
    expect(model.normalizer).toMatchObject({
      name: 'identity',
      precompiledCharsmapBytes: 0,
      addDummyPrefix: true,
      removeExtraWhitespaces: true,
    });
  });

  it('rejects garbage naming the file', () => {
    expect(() => parseSentencePieceModel(Uint8Array.of(0x0a, 0x50, 1), 'bad.model')).toThrow(
      /bad\.model: malformed protobuf/,
    );
    expect(() => parseSentencePieceModel(new Uint8Array(0), 'empty.model')).toThrow(
      /empty\.model: no pieces/,
    );
  });
});

describe('SentencePieceTokenizer equals @huggingface/tokenizers on tokenizer.json', () => {
  it('has the same special tokens and vocabulary size', () => {
    expect([sp.vocabSize, sp.bosId, sp.eosId]).toEqual([512, 1, 2]);
    expect([hf.vocabSize, hf.bosId, hf.eosId]).toEqual([512, 1, 2]);
  });

  it('encodes 400 paragraphs and edge cases identically', () => {
    expect(texts.length).toBeGreaterThanOrEqual(400 + EDGE_CASES.length);
    for (const text of texts) {
      expect(sp.encode(text), JSON.stringify(text.slice(0, 80))).toEqual(hf.encode(text));
      expect(sp.encode(text, { bos: false, eos: true })).toEqual(
        hf.encode(text, { bos: false, eos: true }),
      );
    }
  });

  it('decodes identically and round-trips normalised text', () => {
    for (const text of texts) {
      const ids = sp.encode(text);
      expect(sp.decode(ids)).toBe(hf.decode(ids));
      expect(sp.decode(ids)).toBe(text.replace(/^ +| +$/g, '').replace(/ {2,}/g, ' '));
    }
  });

  /**
   * tokenizer.json approximates SentencePiece's normaliser with a Strip that
   * removes all Unicode whitespace (newlines, NBSP) at the ends, prepends "▁"
   * even to empty text, and matches special-token strings inside the text.
   * SentencePiece (and so this class) strips only ASCII spaces, returns no
   * tokens for whitespace-only text, and treats "<s>" as plain characters.
   */
  it('follows SentencePiece where tokenizer.json differs', () => {
    expect(sp.encode(' ')).toEqual([1]);
    expect(sp.encode('     ', { bos: false })).toEqual([]);
    expect(sp.encode('trail newline\n').at(-1)).toBe(13); // <0x0A> kept
    expect(sp.encode('\nlead').slice(0, 3)).toEqual([1, 410, 13]); // "▁" then <0x0A>
    expect(sp.encode('<s>').slice(1)).not.toContain(1);
    expect(sp.decode(sp.encode('\nlead'))).toBe('\nlead');
  });

  it('streams pieces like a whole decode', () => {
    const ids = sp.encode('Once upon a time, there was a café. 🙂');
    let streamed = '';
    let hfStreamed = '';
    for (let i = 1; i < ids.length; i++) {
      streamed += sp.decodeToken(ids[i - 1], ids[i]);
      hfStreamed += hf.decodeToken(ids[i - 1], ids[i]);
    }
    expect(streamed.replaceAll('\ufffd', '')).toBe('Once upon a time, there was a café. ');
    expect(hfStreamed.startsWith('Once upon a time, there was a café.')).toBe(true);
  });
});
