/**
 * saveGgufModel: a GGUF written from stories260K (llama2.c) and tinystories-12L (Hugging Face)
 * loads back through our reader with the same logits (F32: within 1e-5, in fact equal) and the
 * same tokenizer; stories260K's tensors are byte for byte those of llama.cpp's own conversion of
 * it (the independent reference for names, shapes and the q/k row order); @huggingface/gguf parses
 * the file to the metadata and tensor infos we wrote; F16/BF16 reload within their rounding.
 */
import { gguf as hfGguf } from '@huggingface/gguf';
import { data, getDevice } from '@llm-streamline/tensor';
import { maxAbsDiff, readFixture } from '@llm-streamline/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesByteSource } from '../src/io/byte-source.js';
import { GgufValueType, parseGguf } from '../src/io/gguf.js';
import { readTensorBytes } from '../src/io/tensor-read.js';
import { type LoadedModel, loadGgufModel } from '../src/load/load-model.js';
import type { LlamaForCausalLM } from '../src/model/llama-model.js';
import { MemorySink } from '../src/save/output-sink.js';
import { type GgufSaveOptions, saveGgufModel } from '../src/save/save-gguf.js';
import { checkpointTensors } from '../src/save/save-model.js';
import { loadTokenizer } from '../src/tokenizer/load-tokenizer.js';
import type { Tokenizer } from '../src/tokenizer/tokenizer.js';
import { loadStories260K, loadTinystories, logitsOf, STORIES, TINY } from './model-helpers.js';

const PROMPT = 'Once upon a time, there was a little girl named Lily.';
const TEXTS = [
  PROMPT,
  'Tom and Sue went to the park. They saw a big, red ball!',
  'digits 1234, and café ☃ ünïcödé',
  '',
];
// Not in TEXTS: runs of spaces. SentencePiece's normalizer (remove_extra_whitespaces) folds them,
// but GGUF has no field for a normalizer and llama.cpp, like our GGUF tokenizer, keeps them.

const held: LoadedModel[] = [];
afterAll(() => {
  for (const m of held) m.model.dispose();
});
beforeAll(async () => {
  await getDevice();
});

async function writeGguf(model: LlamaForCausalLM, options: GgufSaveOptions): Promise<Uint8Array> {
  const sink = new MemorySink();
  await saveGgufModel(model, sink, 'model.gguf', options);
  expect([...sink.files.keys()]).toEqual(['model.gguf']);
  return sink.files.get('model.gguf') as Uint8Array;
}

async function loadBack(bytes: Uint8Array): Promise<LoadedModel> {
  const back = await loadGgufModel(bytesByteSource(bytes, 'model.gguf'));
  held.push(back);
  return back;
}

/** @huggingface/gguf reading `bytes` through a fetch that answers its range requests from memory. */
function parseWithHfGguf(bytes: Uint8Array) {
  const fetchFromMemory = async (_url: RequestInfo | URL, init?: RequestInit) => {
    const range = /bytes=(\d+)-(\d+)/.exec(new Headers(init?.headers).get('range') ?? '');
    const [start, end] = range ? [Number(range[1]), Number(range[2]) + 1] : [0, bytes.length];
    return new Response(bytes.slice(start, Math.min(end, bytes.length)), {
      status: range ? 206 : 200,
    });
  };
  return hfGguf('https://example.invalid/model.gguf', {
    fetch: fetchFromMemory as typeof fetch,
    typedMetadata: true,
  });
}

async function expectSameEncodings(a: Tokenizer, b: Tokenizer): Promise<void> {
  for (const text of TEXTS)
    expect(b.encode(text, { bos: true }), text).toEqual(a.encode(text, { bos: true }));
}

describe('GGUF export: stories260K (llama2.c checkpoint, tok512.model)', () => {
  let original: LoadedModel;
  let tokenizerModel: Uint8Array;
  let file: Uint8Array;
  let ids: number[];
  let logits: Float32Array;

  beforeAll(async () => {
    original = await loadStories260K();
    held.push(original);
    tokenizerModel = await readFixture(`${STORIES}/tok512.model`);
    file = await writeGguf(original.model, {
      tokenizerFiles: new Map([['tokenizer.model', tokenizerModel]]),
      name: 'stories260K',
    });
    ids = original.tokenizer?.encode(PROMPT, { bos: true }) as number[];
    logits = await logitsOf(original.model, ids);
  });

  it('F32 loads back with the same config, logits and tokenizer', async () => {
    const back = await loadBack(file);
    expect(back.config).toEqual({
      ...original.config,
      maxPositionEmbeddings: original.config.maxPositionEmbeddings,
    });
    const diff = maxAbsDiff(await logitsOf(back.model, ids), logits);
    console.log(`stories260K F32 GGUF round trip: logits max |diff| ${diff}`);
    expect(diff).toBeLessThanOrEqual(1e-5);
    const spm = await loadTokenizer(bytesByteSource(tokenizerModel, 'tok512.model'));
    await expectSameEncodings(spm, back.tokenizer as Tokenizer);
    await expectSameEncodings(original.tokenizer as Tokenizer, back.tokenizer as Tokenizer);
  });

  it("holds llama.cpp's own conversion's tensors byte for byte, and its metadata", async () => {
    const reference = await parseGguf(
      bytesByteSource(await readFixture(`${STORIES}/stories260K.gguf`), 'stories260K.gguf'),
    );
    const ours = await parseGguf(bytesByteSource(file, 'model.gguf'));
    // llama.cpp's conversion has an untied output.weight (a copy of token_embd); ours is tied.
    const names = [...reference.tensors.keys()].filter((n) => n !== 'output.weight').sort();
    expect([...ours.tensors.keys()].sort()).toEqual(names);
    for (const name of names) {
      const want = reference.tensors.get(name);
      const got = ours.tensors.get(name);
      expect(got?.ggmlDims, name).toEqual(want?.ggmlDims);
      expect(got?.ggmlType, name).toBe(want?.ggmlType);
      const [bytes, theirs] = [
        await readTensorBytes(got as never),
        await readTensorBytes(want as never),
      ];
      expect(
        bytes.length === theirs.length && bytes.every((b, k) => b === theirs[k]),
        `${name} bytes`,
      ).toBe(true);
    }
    for (const [key, value] of reference.kv) {
      // Ours: the name we gave, the llama2.c header's seq_len (512; llama.cpp's converter wrote its
      // default 2048), and no separator/padding ids (tok512.model defines none; llama.cpp wrote -1).
      if (
        [
          'general.name',
          'llama.context_length',
          'tokenizer.ggml.seperator_token_id',
          'tokenizer.ggml.padding_token_id',
        ].includes(key)
      )
        continue;
      if (typeof value === 'number') expect(ours.kv.get(key), key).toBe(value);
      else expect(ours.kv.get(key), key).toEqual(value);
    }
  });

  it('@huggingface/gguf parses it to the metadata and tensor infos we wrote', async () => {
    const ours = await parseGguf(bytesByteSource(file, 'model.gguf'));
    const parsed = await parseWithHfGguf(file);
    expect(parsed.metadata.version).toBe(3);
    expect(Number(parsed.metadata.tensor_count)).toBe(ours.tensors.size);
    const typed = parsed.typedMetadata as Record<
      string,
      { type: number; value: unknown; subType?: number }
    >;
    expect(typed['general.architecture']).toEqual({ type: GgufValueType.STRING, value: 'llama' });
    expect(typed['llama.block_count']).toEqual({ type: GgufValueType.UINT32, value: 5 });
    expect(typed['llama.rope.freq_base']?.type).toBe(GgufValueType.FLOAT32);
    expect(typed['tokenizer.ggml.tokens']?.subType).toBe(GgufValueType.STRING);
    for (const [key, value] of ours.kv) {
      const theirs = typed[key]?.value;
      if (ArrayBuffer.isView(value))
        expect(Array.from(theirs as number[]), key).toEqual(Array.from(value as Float32Array));
      else expect(theirs, key).toEqual(value);
    }
    expect(Number(parsed.tensorDataOffset)).toBe(ours.dataOffset);
    expect(parsed.tensorInfos.map((t) => t.name)).toEqual([...ours.tensors.keys()]);
    for (const info of parsed.tensorInfos) {
      const record = ours.tensors.get(info.name);
      expect(info.shape.map(Number), info.name).toEqual(record?.ggmlDims);
      expect(info.dtype, info.name).toBe(record?.ggmlType);
      expect(Number(info.offset) + ours.dataOffset, info.name).toBe(record?.byteOffset);
    }
  });

  for (const [dtype, significandBits, logitTol] of [
    ['F16', 11, 0.05],
    ['BF16', 8, 0.3],
  ] as const) {
    it(`${dtype}: matrices in ${dtype}, norms in F32, weights within its rounding, logits close`, async () => {
      const bytes = await writeGguf(original.model, {
        dtype,
        tokenizerFiles: new Map([['tokenizer.model', tokenizerModel]]),
      });
      const parsed = await parseGguf(bytesByteSource(bytes, 'model.gguf'));
      expect(parsed.kv.get('general.file_type')).toBe(dtype === 'F16' ? 1 : 32);
      for (const record of parsed.tensors.values())
        expect(record.dtype, record.name).toBe(record.shape.length === 1 ? 'F32' : dtype);
      const back = await loadBack(bytes);
      const before = checkpointTensors(original.model);
      const rel = 2 ** -significandBits;
      for (const [name, t] of checkpointTensors(back.model)) {
        const want = (await data(before.get(name) as never)) as Float32Array;
        const got = (await data(t)) as Float32Array;
        for (let i = 0; i < want.length; i++) {
          const x = want[i] as number;
          if (!(Math.abs((got[i] as number) - x) <= Math.abs(x) * rel + 2 ** -25))
            expect.fail(`${name}[${i}]: ${x} reloaded as ${got[i]} (beyond ${dtype} rounding)`);
        }
      }
      const lossy = await logitsOf(back.model, ids);
      const diff = maxAbsDiff(lossy, logits);
      console.log(`stories260K ${dtype} GGUF round trip: logits max |diff| ${diff}`);
      expect(diff).toBeGreaterThan(0);
      expect(diff).toBeLessThanOrEqual(logitTol);
    });
  }
});

describe('GGUF export: tinystories-12L (Hugging Face folder, tokenizer.model)', () => {
  it('F32 loads back with the same logits and tokenizer', async () => {
    const original = await loadTinystories();
    held.push(original);
    const tokenizerModel = await readFixture(`${TINY}/tokenizer.model`);
    const tokenizerConfig = await readFixture(`${TINY}/tokenizer_config.json`);
    const file = await writeGguf(original.model, {
      tokenizerFiles: new Map([
        ['tokenizer.model', tokenizerModel],
        ['tokenizer_config.json', tokenizerConfig],
      ]),
    });
    const back = await loadBack(file);
    const { extraFields: _, ...config } = original.config;
    expect(back.config).toEqual(config);
    const ids = original.tokenizer?.encode(PROMPT, { bos: true }) as number[];
    const diff = maxAbsDiff(await logitsOf(back.model, ids), await logitsOf(original.model, ids));
    console.log(`tinystories-12L F32 GGUF round trip: logits max |diff| ${diff}`);
    expect(diff).toBeLessThanOrEqual(1e-5);
    await expectSameEncodings(original.tokenizer as Tokenizer, back.tokenizer as Tokenizer);
    const kv = (await parseGguf(bytesByteSource(file, 'model.gguf'))).kv;
    expect(kv.get('tokenizer.ggml.add_bos_token')).toBe(true);
    expect(kv.get('tokenizer.ggml.add_eos_token')).toBe(false);
  });
});
