import { readFixture } from '@llm-streamline/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesByteSource } from '../src/io/byte-source.js';
import { parseGguf } from '../src/io/gguf.js';
import { parseLlama2cCheckpoint } from '../src/io/llama2c.js';
import { getTensor } from '../src/io/tensor-index.js';
import { readTensorBytes, readTensorF32 } from '../src/io/tensor-read.js';
import { hfNameFromGguf, hfNameFromLlama2c } from '../src/io/weight-names.js';

const FILE = 'stories260K.bin';
let original: Uint8Array;

beforeAll(async () => {
  original = await readFixture('stories260K/stories260K.bin');
});

const parse = (bytes: Uint8Array, name = FILE) =>
  parseLlama2cCheckpoint(bytesByteSource(bytes, name));

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

describe('parseLlama2cCheckpoint on stories260K.bin', () => {
  it('decodes the header and lays out every tensor', async () => {
    const ckpt = await parse(original);
    expect(ckpt.header).toEqual({
      dim: 64,
      hiddenDim: 172,
      nLayers: 5,
      nHeads: 8,
      nKvHeads: 4,
      vocabSize: 512,
      seqLen: 512,
      sharedClassifier: true,
    });
    expect(ckpt.tensors.size).toBe(1 + 9 * 5 + 1 + 2);
    expect(ckpt.tensors.has('wcls')).toBe(false);
    expect(getTensor(ckpt, 'wk.4').shape).toEqual([32, 64]);
    expect(getTensor(ckpt, 'w2.0').shape).toEqual([64, 172]);
    expect(getTensor(ckpt, 'freq_cis_real').shape).toEqual([512, 4]);
    const params = [...ckpt.tensors.values()]
      .filter((t) => !t.name.startsWith('freq_cis'))
      .reduce((n, t) => n + t.byteLength / 4, 0);
    expect(params).toBe(260_032);
  });

  it('holds exactly the GGUF weights, tensor for tensor, under the HF names', async () => {
    const ckpt = await parse(original);
    const gguf = await parseGguf(
      bytesByteSource(await readFixture('stories260K/stories260K.gguf'), 'stories260K.gguf'),
    );
    const fromGguf = new Map([...gguf.tensors.values()].map((t) => [hfNameFromGguf(t.name), t]));
    let compared = 0;
    for (const record of ckpt.tensors.values()) {
      const hfName = hfNameFromLlama2c(record.name);
      if (!hfName) continue;
      const other = fromGguf.get(hfName);
      if (!other) throw new Error(`${hfName} missing from the GGUF`);
      expect(other.shape).toEqual(record.shape);
      expect(sameBytes(await readTensorBytes(record), await readTensorBytes(other)), hfName).toBe(
        true,
      );
      compared++;
    }
    expect(compared).toBe(1 + 9 * 5 + 1);
    const embed = await readTensorF32(getTensor(ckpt, 'token_embedding_table'));
    expect(embed.length).toBe(512 * 64);
    expect(embed.every(Number.isFinite)).toBe(true);
  });
});

describe('parseLlama2cCheckpoint errors', () => {
  it('a truncated file names the file, expected and found sizes', async () => {
    await expect(parse(original.subarray(0, original.length - 4))).rejects.toThrow(
      'stories260K.bin: llama2.c checkpoint size mismatch — the header implies 1056540 bytes but the file has 1056536',
    );
  });

  it('negative vocab_size requires a separate classifier', async () => {
    const unshared = original.slice();
    new DataView(unshared.buffer).setInt32(20, -512, true);
    await expect(parse(unshared)).rejects.toThrow(/implies 1187612 bytes but the file has 1056540/);
    const withWcls = new Uint8Array(original.length + 512 * 64 * 4);
    withWcls.set(unshared);
    const ckpt = await parse(withWcls);
    expect(ckpt.header.sharedClassifier).toBe(false);
    expect(ckpt.tensors.get('wcls')).toMatchObject({
      shape: [512, 64],
      byteOffset: original.length,
    });
  });

  it('nonsense headers', async () => {
    await expect(parse(original.subarray(0, 10))).rejects.toThrow(/stories260K\.bin: too short/);
    const bad = original.slice();
    new DataView(bad.buffer).setInt32(12, 7, true); // n_heads 7 does not divide dim 64
    await expect(parse(bad)).rejects.toThrow(/stories260K\.bin: inconsistent llama2\.c header/);
    new DataView(bad.buffer).setInt32(0, 0, true);
    await expect(parse(bad)).rejects.toThrow(/stories260K\.bin: llama2\.c header field dim = 0/);
  });
});
