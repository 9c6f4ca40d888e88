/**
 * One model, three file formats: stories260K from its llama2.c checkpoint, from llama.cpp's GGUF
 * conversion (interleaved RoPE rows, innermost-first dims, separate `output.weight`), and from a
 * Hugging Face directory written by saveHfModel (rotate-half rows) give the same logits.
 */
import { getDevice } from '@llm-streamline/tensor';
import { readFixture } from '@llm-streamline/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesByteSource } from '../src/io/byte-source.js';
import { memoryModelDirectory } from '../src/io/model-directory.js';
import { type LoadedModel, loadGgufModel, loadHfModel } from '../src/load/load-model.js';
import { MemorySink } from '../src/save/output-sink.js';
import { saveHfModel } from '../src/save/save-model.js';
import { loadStories260K, logitsOf, STORIES } from './model-helpers.js';

const PROMPT = 'Once upon a time, there was a little girl named Lily.';

let bin: LoadedModel;
let gguf: LoadedModel;
let hf: LoadedModel;
let ids: number[];
let reference: Float32Array;

beforeAll(async () => {
  await getDevice();
  bin = await loadStories260K();
  gguf = await loadGgufModel(
    bytesByteSource(await readFixture(`${STORIES}/stories260K.gguf`), 'stories260K.gguf'),
  );
  const sink = new MemorySink();
  const tokenizerModel = await readFixture(`${STORIES}/tok512.model`);
  await saveHfModel(bin.model, sink, {
    extraFiles: new Map([['tokenizer.model', tokenizerModel]]),
  });
  hf = await loadHfModel(memoryModelDirectory(Object.fromEntries(sink.files), 'stories260K-hf'));
  ids = (bin.tokenizer ?? gguf.tokenizer)?.encode(PROMPT, { bos: true }) as number[];
  reference = await logitsOf(bin.model, ids);
});

afterAll(() => {
  for (const m of [bin, gguf, hf]) m?.model.dispose();
});

describe('stories260K in three formats', () => {
  it('loads the same configuration from each', () => {
    expect(gguf.format).toBe('gguf');
    expect(hf.format).toBe('huggingface');
    const { tieWordEmbeddings: _t1, maxPositionEmbeddings: _m1, ...fromBin } = bin.config;
    const { tieWordEmbeddings: _t2, maxPositionEmbeddings: _m2, ...fromGguf } = gguf.config;
    expect(fromGguf).toEqual(fromBin);
    expect(hf.config).toEqual(bin.config);
    // The GGUF stores the classifier separately (a copy of the embedding); llama2.c shares it.
    expect(gguf.config.tieWordEmbeddings).toBe(false);
    expect(bin.config.tieWordEmbeddings).toBe(true);
  });

  it('tokenizes alike (tok512.bin, GGUF vocabulary, tokenizer.model)', () => {
    expect(ids.length).toBeGreaterThan(10);
    expect(gguf.tokenizer?.encode(PROMPT, { bos: true })).toEqual(ids);
    expect(hf.tokenizer?.encode(PROMPT, { bos: true })).toEqual(ids);
  });

  it('gives the same logits from .bin, .gguf and the converted HF directory (1e-5)', async () => {
    expect(reference.length).toBe(ids.length * 512);
    expect(await logitsOf(gguf.model, ids), 'gguf vs bin').toBeAllclose(reference, {
      atol: 1e-5,
      rtol: 0,
    });
    expect(await logitsOf(hf.model, ids), 'hf vs bin').toBeAllclose(reference, {
      atol: 1e-5,
      rtol: 0,
    });
  });
});
