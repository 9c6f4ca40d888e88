import { readFixture, readFixtureText } from '@llm-streamline/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesByteSource } from '../src/io/byte-source.js';
import { parseGguf } from '../src/io/gguf.js';
import { Llama2cTokenizer } from '../src/tokenizer/llama2c-tokenizer.js';

interface Oracles {
  tokenizer_encode_bos_eos: Record<string, number[]>;
  tokenizer_encode_bos_noeos: Record<string, number[]>;
  tokenizer_spot_checks: {
    max_token_length: number;
    id300: { piece: string; score: number };
    id511: { piece: string; score: number };
    id403: string;
    id1: string;
    id2: string;
  };
  greedy_no_prompt_200_steps: { token_ids: number[]; text: string };
  greedy_prompt_once_upon_a_time_64_steps: {
    prompt: string;
    prompt_token_ids: number[];
    token_ids: number[];
    text: string;
  };
}

let oracles: Oracles;
let tokenizer: Llama2cTokenizer;
let fromGguf: Llama2cTokenizer;
const decoder = new TextDecoder();

beforeAll(async () => {
  oracles = JSON.parse(await readFixtureText('stories260K/reference/stories260K_oracles.json'));
  tokenizer = Llama2cTokenizer.fromTokBin(
    await readFixture('stories260K/tok512.bin'),
    'tok512.bin',
  );
  const gguf = await parseGguf(
    bytesByteSource(await readFixture('stories260K/stories260K.gguf'), 'stories260K.gguf'),
  );
  fromGguf = Llama2cTokenizer.fromGguf(gguf);
});

describe('Llama2cTokenizer (tok512.bin)', () => {
  it('matches the spot checks', () => {
    const spot = oracles.tokenizer_spot_checks;
    expect(tokenizer.vocabSize).toBe(512);
    expect(tokenizer.maxTokenLength).toBe(spot.max_token_length);
    expect(decoder.decode(tokenizer.pieceOf(300))).toBe(spot.id300.piece);
    expect(tokenizer.scoreOf(300)).toBe(spot.id300.score);
    expect(decoder.decode(tokenizer.pieceOf(511))).toBe(spot.id511.piece);
    expect(tokenizer.scoreOf(511)).toBe(spot.id511.score);
    expect(decoder.decode(tokenizer.pieceOf(403))).toBe(spot.id403);
    expect(decoder.decode(tokenizer.pieceOf(1))).toBe(spot.id1);
    expect(decoder.decode(tokenizer.pieceOf(2))).toBe(spot.id2);
  });

  it('encodes like run.c (README example and every oracle case)', () => {
    expect(tokenizer.encode('Once upon a time,', { bos: true, eos: true })).toEqual([
      1, 403, 407, 261, 378, 432, 2,
    ]);
    for (const [text, ids] of Object.entries(oracles.tokenizer_encode_bos_eos)) {
      expect(tokenizer.encode(text, { bos: true, eos: true }), text).toEqual(ids);
    }
    for (const [text, ids] of Object.entries(oracles.tokenizer_encode_bos_noeos)) {
      expect(tokenizer.encode(text, { bos: true, eos: false }), text).toEqual(ids);
    }
    const prompt = oracles.greedy_prompt_once_upon_a_time_64_steps;
    expect(tokenizer.encode(prompt.prompt)).toEqual(prompt.prompt_token_ids);
    expect(tokenizer.encode('', { bos: false })).toEqual([]);
    expect(tokenizer.encode('Hi', { bos: false })[0]).not.toBe(1);
  });

  it('decodes the greedy generations exactly as run.c printed them', () => {
    for (const run of [
      oracles.greedy_no_prompt_200_steps,
      oracles.greedy_prompt_once_upon_a_time_64_steps,
    ]) {
      expect(tokenizer.decode(run.token_ids)).toBe(run.text);
      // Streaming, piece by piece, as run.c prints.
      let streamed = '';
      for (let i = 1; i < run.token_ids.length; i++)
        streamed += tokenizer.decodeToken(run.token_ids[i - 1], run.token_ids[i]);
      expect(streamed).toBe(run.text);
    }
  });

  it('decodes byte-fallback tokens to raw bytes and keeps spaces not after BOS', () => {
    const ids = tokenizer.encode('The café costs 5 €.');
    expect(tokenizer.decode(ids)).toBe('The café costs 5 €.');
    expect(tokenizer.decodeToken(1, 403)).toBe('Once');
    expect(tokenizer.decodeToken(407, 403)).toBe(' Once');
    expect(tokenizer.decodeToken(5, 13)).toBe('\n'); // <0x0A>
  });

  it('round-trips real text, including multiple spaces that SentencePiece would collapse', async () => {
    const paragraphs = (await readFixtureText('text/tinystories-valid-sample.txt'))
      .split(/\n\s*\n/)
      .slice(0, 100);
    for (const p of [...paragraphs, '  two  spaces ', 'tab\there', 'emoji 🙂 and 日本語']) {
      expect(tokenizer.decode(tokenizer.encode(p))).toBe(p);
    }
  });
});

describe('Llama2cTokenizer from GGUF metadata', () => {
  it('has the same pieces, scores and encodings as tok512.bin', () => {
    expect(fromGguf.vocabSize).toBe(512);
    // llama2.c's export writes BOS/EOS as "\n<s>\n" / "\n</s>\n"; GGUF keeps "<s>" / "</s>".
    expect(decoder.decode(fromGguf.pieceOf(1))).toBe('<s>');
    for (let id = 0; id < 512; id++) {
      if (id !== 1 && id !== 2) expect(fromGguf.pieceOf(id)).toEqual(tokenizer.pieceOf(id));
      expect(fromGguf.scoreOf(id)).toBe(tokenizer.scoreOf(id));
    }
    for (const [text, ids] of Object.entries(oracles.tokenizer_encode_bos_noeos))
      expect(fromGguf.encode(text)).toEqual(ids);
    expect(fromGguf.decode(oracles.greedy_no_prompt_200_steps.token_ids)).toBe(
      oracles.greedy_no_prompt_200_steps.text,
    );
  });
});

describe('tok*.bin errors', () => {
  it('names the file', async () => {
    const bytes = await readFixture('stories260K/tok512.bin');
    expect(() => Llama2cTokenizer.fromTokBin(bytes.subarray(0, 1000), 'tok512.bin')).toThrow(
      /tok512\.bin: .*token \d+/,
    );
    expect(() => Llama2cTokenizer.fromTokBin(new Uint8Array(4), 'zero.bin')).toThrow(
      /zero\.bin: max_token_length 0/,
    );
  });
});
