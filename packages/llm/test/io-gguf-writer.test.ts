/**
 * The GGUF writer's pieces: every metadata value type read back by our reader and by
 * @huggingface/gguf; tokenizer.json written as llama.cpp's `gpt2` vocabulary; the models and
 * tokenizers llama.cpp's `llama` architecture would run differently, refused with the reason; a
 * streamed model written byte for byte as its resident twin, fetching each unit once.
 */
import { gguf as hfGguf } from '@huggingface/gguf';
import { getDevice } from '@llm-streamline/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LlamaConfig } from '../src/config/llama-config.js';
import { bytesByteSource } from '../src/io/byte-source.js';
import { parseGguf } from '../src/io/gguf.js';
import { type GgufEntry, layoutGguf } from '../src/io/gguf-writer.js';
import { memoryModelDirectory } from '../src/io/model-directory.js';
import { loadHfModel } from '../src/load/load-model.js';
import { ggufTokenizerEntries } from '../src/save/gguf-tokenizer.js';
import { MemorySink } from '../src/save/output-sink.js';
import { assertGgufExportable, saveGgufModel } from '../src/save/save-gguf.js';
import { writeRandomCheckpoint } from '../src/synthetic/write-random-checkpoint.js';

const ENTRIES: GgufEntry[] = [
  { key: 'a.u32', value: { type: 'u32', value: 4294967295 } },
  { key: 'a.i32', value: { type: 'i32', value: -7 } },
  { key: 'a.f32', value: { type: 'f32', value: 0.5 } },
  { key: 'a.bool', value: { type: 'bool', value: true } },
  { key: 'a.string', value: { type: 'string', value: 'café ▁☃' } },
  { key: 'a.strings', value: { type: 'string[]', value: ['', 'x', '▁y'] } },
  { key: 'a.f32s', value: { type: 'f32[]', value: [1.5, -2, 0] } },
  { key: 'a.i32s', value: { type: 'i32[]', value: [3, -1] } },
];

describe('layoutGguf', () => {
  const layout = layoutGguf(ENTRIES, [
    { name: 'w', type: 'F16', shape: [3, 5] },
    { name: 'n', type: 'F32', shape: [5] },
  ]);
  // Tensor data: 30 bytes of F16 padded to 32, then 20 bytes of F32 padded to 32.
  const file = new Uint8Array(layout.fileBytes);
  file.set(layout.header);

  it('places each tensor at a multiple of 32 after the header, padding each to 32', () => {
    expect(layout.header.byteLength % 32).toBe(0);
    expect(layout.tensors).toEqual([
      { name: 'w', byteLength: 30, padding: 2, offset: 0 },
      { name: 'n', byteLength: 20, padding: 12, offset: 32 },
    ]);
    expect(layout.fileBytes).toBe(layout.header.byteLength + 64);
    // Magic "GGUF", version 3, 2 tensors, 8 entries (u64), spelled out byte by byte.
    expect([...layout.header.subarray(0, 24)]).toEqual([
      71, 71, 85, 70, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0,
    ]);
  });

  it('our reader reads back every value and tensor info', async () => {
    const g = await parseGguf(bytesByteSource(file, 't.gguf'));
    expect(g.version).toBe(3);
    expect(Object.fromEntries(g.kv)).toEqual({
      'a.u32': 4294967295,
      'a.i32': -7,
      'a.f32': 0.5,
      'a.bool': true,
      'a.string': 'café ▁☃',
      'a.strings': ['', 'x', '▁y'],
      'a.f32s': Float32Array.from([1.5, -2, 0]),
      'a.i32s': Int32Array.from([3, -1]),
    });
    expect(g.tensors.get('w')?.ggmlDims).toEqual([5, 3]);
    expect(g.tensors.get('w')?.shape).toEqual([3, 5]);
    expect(g.tensors.get('n')?.byteOffset).toBe(layout.header.byteLength + 32);
  });

  it('@huggingface/gguf reads back every value with its type', async () => {
    const parsed = await hfGguf('https://example.invalid/t.gguf', {
      fetch: (async (_url: RequestInfo | URL, init?: RequestInit) => {
        const range = /bytes=(\d+)-(\d+)/.exec(new Headers(init?.headers).get('range') ?? '');
        const [start, end] = range ? [Number(range[1]), Number(range[2]) + 1] : [0, file.length];
        return new Response(file.slice(start, Math.min(end, file.length)), { status: 206 });
      }) as typeof fetch,
      typedMetadata: true,
    });
    const typed = parsed.typedMetadata as Record<string, { type: number; value: unknown }>;
    // GGUF value type ids: 4 u32, 5 i32, 6 f32, 7 bool, 8 string, 9 array.
    expect(typed['a.u32']).toEqual({ type: 4, value: 4294967295 });
    expect(typed['a.i32']).toEqual({ type: 5, value: -7 });
    expect(typed['a.f32']).toEqual({ type: 6, value: 0.5 });
    expect(typed['a.bool']).toEqual({ type: 7, value: true });
    expect(typed['a.string']).toEqual({ type: 8, value: 'café ▁☃' });
    expect(typed['a.strings']?.value).toEqual(['', 'x', '▁y']);
    expect(typed['a.f32s']?.value).toEqual([1.5, -2, 0]);
    expect(typed['a.i32s']?.value).toEqual([3, -1]);
    expect(
      parsed.tensorInfos.map((t) => [t.name, t.shape.map(Number), t.dtype, Number(t.offset)]),
    ).toEqual([
      ['w', [5, 3], 1, 0],
      ['n', [5], 0, 32],
    ]);
  });

  it('refuses a key or tensor given twice', () => {
    expect(() => layoutGguf([ENTRIES[0] as GgufEntry, ENTRIES[0] as GgufEntry], [])).toThrow(
      'metadata key "a.u32" given twice',
    );
    expect(() =>
      layoutGguf(
        [],
        [
          { name: 'w', type: 'F32', shape: [1] },
          { name: 'w', type: 'F32', shape: [1] },
        ],
      ),
    ).toThrow('tensor "w" given twice');
  });
});

const CONFIG: LlamaConfig = {
  modelType: 'llama',
  hiddenSize: 8,
  intermediateSize: 16,
  numLayers: 2,
  numHeads: 2,
  numKvHeads: 1,
  headDim: 4,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  tieWordEmbeddings: true,
  vocabSize: 8,
  bosTokenId: 1,
  eosTokenId: 2,
  qkvBias: false,
  oBias: false,
  mlpBias: false,
  maxPositionEmbeddings: 64,
};

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('tokenizer metadata from tokenizer.json (byte-level BPE → gpt2)', () => {
  const tokenizer = {
    model: {
      type: 'BPE',
      vocab: { a: 3, b: 4, ab: 5, Ġa: 6 },
      merges: ['a b', ['Ġ', 'a']],
    },
    added_tokens: [
      { id: 0, content: '<|pad|>', special: true },
      { id: 1, content: '<s>', special: true },
      { id: 2, content: '</s>', special: true },
      { id: 7, content: '<tool>', special: false },
    ],
  };

  it('tokens by id, merges as "left right", added tokens typed, ids from the config', () => {
    const entries = ggufTokenizerEntries(new Map([['tokenizer.json', json(tokenizer)]]), CONFIG);
    const kv = Object.fromEntries((entries ?? []).map((e) => [e.key, e.value.value]));
    expect(kv).toEqual({
      'tokenizer.ggml.model': 'gpt2',
      'tokenizer.ggml.pre': 'default',
      'tokenizer.ggml.tokens': ['<|pad|>', '<s>', '</s>', 'a', 'b', 'ab', 'Ġa', '<tool>'],
      'tokenizer.ggml.token_type': [3, 3, 3, 1, 1, 1, 1, 4],
      'tokenizer.ggml.merges': ['a b', 'Ġ a'],
      'tokenizer.ggml.bos_token_id': 1,
      'tokenizer.ggml.eos_token_id': 2,
    });
  });

  it('pads ids nothing names with [PAD{id}] (unused), as llama.cpp does', () => {
    const entries = ggufTokenizerEntries(new Map([['tokenizer.json', json(tokenizer)]]), {
      ...CONFIG,
      vocabSize: 10,
    });
    const kv = Object.fromEntries((entries ?? []).map((e) => [e.key, e.value.value]));
    expect((kv['tokenizer.ggml.tokens'] as string[]).slice(8)).toEqual(['[PAD8]', '[PAD9]']);
    expect((kv['tokenizer.ggml.token_type'] as number[]).slice(8)).toEqual([5, 5]);
  });

  it('refuses a token id outside the vocabulary, a byte-fallback BPE and a non-BPE model', () => {
    const wide = { ...tokenizer, model: { ...tokenizer.model, vocab: { a: 8 } } };
    expect(() => ggufTokenizerEntries(new Map([['tokenizer.json', json(wide)]]), CONFIG)).toThrow(
      'tokenizer.json: token "a" has id 8, outside the model\'s vocabulary 0..7',
    );
    const spmLike = { ...tokenizer, model: { ...tokenizer.model, byte_fallback: true } };
    expect(() =>
      ggufTokenizerEntries(new Map([['tokenizer.json', json(spmLike)]]), CONFIG),
    ).toThrow(/byte_fallback.*give that file \(--tokenizer tokenizer\.model\)/);
    const unigram = { model: { type: 'Unigram', vocab: [] } };
    expect(() =>
      ggufTokenizerEntries(new Map([['tokenizer.json', json(unigram)]]), CONFIG),
    ).toThrow('model type "Unigram" cannot be written to GGUF');
  });

  it('gives nothing when there is no tokenizer file', () => {
    expect(ggufTokenizerEntries(new Map(), CONFIG)).toBeUndefined();
  });
});

describe('what llama.cpp\'s "llama" architecture would run differently is refused', () => {
  it('accepts LLaMA and Mistral without a window', () => {
    expect(() => assertGgufExportable(CONFIG)).not.toThrow();
    expect(() => assertGgufExportable({ ...CONFIG, modelType: 'mistral' })).not.toThrow();
  });
  it('refuses Qwen2, a sliding window and RoPE scaling, naming them', () => {
    expect(() => assertGgufExportable({ ...CONFIG, modelType: 'qwen2' })).toThrow(
      /Qwen2 model is llama\.cpp's "qwen2" architecture/,
    );
    expect(() =>
      assertGgufExportable({ ...CONFIG, modelType: 'mistral', slidingWindow: 16 }),
    ).toThrow('layer 0 uses sliding-window attention (window 16)');
    expect(() =>
      assertGgufExportable({ ...CONFIG, ropeScaling: { type: 'linear', factor: 2 } }),
    ).toThrow('RoPE scaling "linear"');
  });
});

describe('a streamed model', () => {
  beforeAll(async () => {
    await getDevice();
  });

  it('is written byte for byte as the resident one, each unit fetched once', async () => {
    const sink = new MemorySink();
    await writeRandomCheckpoint(
      {
        architectures: ['LlamaForCausalLM'],
        model_type: 'llama',
        hidden_size: 64,
        intermediate_size: 192,
        num_hidden_layers: 6,
        num_attention_heads: 4,
        num_key_value_heads: 2,
        vocab_size: 300,
        max_position_embeddings: 128,
        rms_norm_eps: 1e-5,
        tie_word_embeddings: false,
        torch_dtype: 'bfloat16',
      },
      sink,
      { dtype: 'BF16', seed: 7, std: 0.05 },
    );
    const dir = memoryModelDirectory(Object.fromEntries(sink.files), 'random-6L');
    const write = async (model: Parameters<typeof saveGgufModel>[0]) => {
      const out = new MemorySink();
      await saveGgufModel(model, out, 'm.gguf', { dtype: 'BF16' });
      return out.files.get('m.gguf') as Uint8Array;
    };
    const resident = await loadHfModel(dir);
    const expected = await write(resident.model);
    resident.model.dispose();
    const streamed = await loadHfModel(dir, {
      deviceMemory: { budgetBytes: 600 * 1024, batchSize: 2, blockLength: 24 },
    });
    try {
      expect(streamed.model.memoryPlan?.mode).toBe('streamed');
      const before = streamed.model.weightStream?.stats.fetches ?? 0;
      const got = await write(streamed.model);
      expect(got.length).toBe(expected.length);
      expect(got.every((b, i) => b === expected[i])).toBe(true);
      const fetched = (streamed.model.weightStream?.stats.fetches ?? 0) - before;
      // At most the 6 layers, the embedding and the head: each fetched at most once.
      expect(fetched).toBeGreaterThanOrEqual(1);
      expect(fetched).toBeLessThanOrEqual(8);
    } finally {
      streamed.model.dispose();
    }
  });
});
