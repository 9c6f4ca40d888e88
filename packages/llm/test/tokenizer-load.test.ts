import { readFixture } from '@llm-streamline/test-utils';
import { describe, expect, it } from 'vitest';
import { bytesByteSource } from '../src/io/byte-source.js';
import { parseGguf } from '../src/io/gguf.js';
import { memoryModelDirectory } from '../src/io/model-directory.js';
import { HfTokenizer } from '../src/tokenizer/hf-tokenizer.js';
import { Llama2cTokenizer } from '../src/tokenizer/llama2c-tokenizer.js';
import { loadTokenizer } from '../src/tokenizer/load-tokenizer.js';
import { SentencePieceTokenizer } from '../src/tokenizer/sentencepiece-tokenizer.js';

const ONCE = [1, 403, 407, 261, 378, 432];

async function tinystoriesFiles(names: string[]): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  for (const name of names) files[name] = await readFixture(`tinystories-12L/${name}`);
  return files;
}

describe('loadTokenizer', () => {
  it('prefers tokenizer.json in a model directory', async () => {
    const dir = memoryModelDirectory(
      await tinystoriesFiles(['tokenizer.json', 'tokenizer_config.json', 'tokenizer.model']),
      'ts',
    );
    const tokenizer = await loadTokenizer(dir);
    expect(tokenizer).toBeInstanceOf(HfTokenizer);
    expect(tokenizer.encode('Once upon a time,')).toEqual(ONCE);
    expect(tokenizer.decode(ONCE)).toBe('Once upon a time,');
  });

  it('falls back to tokenizer.model, honouring add_bos_token', async () => {
    const files = await tinystoriesFiles(['tokenizer.model']);
    const plain = await loadTokenizer(memoryModelDirectory(files, 'ts'));
    expect(plain).toBeInstanceOf(SentencePieceTokenizer);
    expect(plain.encode('Once upon a time,')).toEqual(ONCE);
    files['tokenizer_config.json'] = new TextEncoder().encode('{"add_bos_token": false}');
    expect(
      (await loadTokenizer(memoryModelDirectory(files, 'ts'))).encode('Once upon a time,'),
    ).toEqual(ONCE.slice(1));
  });

  it('reads llama2.c tok*.bin files and GGUF vocabularies', async () => {
    const tok = await loadTokenizer(
      bytesByteSource(await readFixture('stories260K/tok512.bin'), 'tok512.bin'),
    );
    expect(tok).toBeInstanceOf(Llama2cTokenizer);
    expect(tok.encode('Once upon a time,')).toEqual(ONCE);
    const ggufSource = bytesByteSource(
      await readFixture('stories260K/stories260K.gguf'),
      'stories260K.gguf',
    );
    expect((await loadTokenizer(ggufSource)).encode('Once upon a time,')).toEqual(ONCE);
    expect((await loadTokenizer(await parseGguf(ggufSource))).encode('Once upon a time,')).toEqual(
      ONCE,
    );
    const model = await loadTokenizer(
      bytesByteSource(await readFixture('stories260K/tok512.model'), 'tok512.model'),
    );
    expect(model.encode('Once upon a time,')).toEqual(ONCE);
  });

  it('explains what it looked for', async () => {
    await expect(loadTokenizer(memoryModelDirectory({}, 'empty-dir'))).rejects.toThrow(
      /empty-dir: no tokenizer found \(looked for tokenizer\.json and tokenizer\.model\)/,
    );
    await expect(loadTokenizer(bytesByteSource(new Uint8Array(8), 'weights.xyz'))).rejects.toThrow(
      /weights\.xyz: unknown tokenizer file type/,
    );
  });
});
