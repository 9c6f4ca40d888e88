/**
 * Broken model files are rejected, promptly, with an error that names the file and the tensor or
 * field at fault: truncated safetensors / GGUF / llama2.c files, a config.json that disagrees with
 * the tensors, a missing shard, an unsupported architecture. Every load is raced against a timer
 * so that a hang fails with a message instead of the test timeout.
 */
import { getDevice } from '@llm-streamline/tensor';
import { readFixture } from '@llm-streamline/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesByteSource } from '../src/io/byte-source.js';
import { memoryModelDirectory } from '../src/io/model-directory.js';
import {
  type LoadedModel,
  loadGgufModel,
  loadHfModel,
  loadLlama2cModel,
} from '../src/load/load-model.js';
import { MemorySink } from '../src/save/output-sink.js';
import { saveHfModel } from '../src/save/save-model.js';
import { loadStories260K, STORIES, TINY, tinystoriesFiles, within } from './model-helpers.js';

const LIMIT_MS = 30_000;

let tiny: Record<string, Uint8Array>;
let gguf: Uint8Array;
let bin: Uint8Array;
let tok: Uint8Array;

beforeAll(async () => {
  await getDevice();
  tiny = await tinystoriesFiles();
  gguf = await readFixture(`${STORIES}/stories260K.gguf`);
  bin = await readFixture(`${STORIES}/stories260K.bin`);
  tok = await readFixture(`${STORIES}/tok512.bin`);
});

/** Expects `load` to reject within the time limit with a message matching every pattern. */
async function expectRejection(load: () => Promise<LoadedModel>, ...patterns: RegExp[]) {
  let loaded: LoadedModel | undefined;
  let error: unknown;
  try {
    loaded = await within(load(), LIMIT_MS, 'load');
  } catch (e) {
    error = e;
  }
  loaded?.model.dispose();
  expect(error, 'the load should have failed').toBeInstanceOf(Error);
  const message = (error as Error).message;
  expect(message).not.toMatch(/still pending after/);
  for (const pattern of patterns) expect(message).toMatch(pattern);
}

const text = (s: string) => new TextEncoder().encode(s);
const tinyDir = (changes: Record<string, Uint8Array | undefined>) => {
  const files = { ...tiny, ...changes };
  for (const [k, v] of Object.entries(files)) if (v === undefined) delete files[k];
  return memoryModelDirectory(files as Record<string, Uint8Array>, TINY);
};
const tinyConfig = (edit: (c: Record<string, unknown>) => void) => {
  const config = JSON.parse(new TextDecoder().decode(tiny['config.json'])) as Record<
    string,
    unknown
  >;
  edit(config);
  return text(JSON.stringify(config));
};

/** Offset of the first occurrence of `needle` in `bytes`. */
function indexOf(bytes: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('not found');
}

describe('truncated files', () => {
  it('safetensors cut inside the data section names the file and a tensor', async () => {
    const cut = (tiny['model.safetensors'] as Uint8Array).slice(0, 5_000_000);
    await expectRejection(
      () => loadHfModel(tinyDir({ 'model.safetensors': cut })),
      /tinystories-12L\/model\.safetensors: tensor "[\w.]+" data_offsets .* extend past the end/,
    );
  });

  it('safetensors cut inside its JSON header names the file', async () => {
    const cut = (tiny['model.safetensors'] as Uint8Array).slice(0, 300);
    await expectRejection(
      () => loadHfModel(tinyDir({ 'model.safetensors': cut })),
      /tinystories-12L\/model\.safetensors: safetensors header length \d+ is too large/,
    );
    await expectRejection(
      () => loadHfModel(tinyDir({ 'model.safetensors': new Uint8Array(3) })),
      /tinystories-12L\/model\.safetensors: not a safetensors file/,
    );
  });

  it('GGUF cut inside the tensor data names the file and a tensor', async () => {
    await expectRejection(
      () => loadGgufModel(bytesByteSource(gguf.slice(0, 600_000), 'stories260K.gguf')),
      /stories260K\.gguf: tensor "[\w.]+": data \[\d+, \d+\) extends past the end of the file .* truncated/,
    );
  });

  it('GGUF cut inside its metadata names the file and the field being read', async () => {
    await expectRejection(
      () => loadGgufModel(bytesByteSource(gguf.slice(0, 3000), 'stories260K.gguf')),
      /stories260K\.gguf: file is truncated — .*metadata "tokenizer\.ggml\.tokens"/,
    );
  });

  it('llama2.c checkpoint cut short or header only names the file', async () => {
    const tokSource = () => bytesByteSource(tok, 'tok512.bin');
    await expectRejection(
      () =>
        loadLlama2cModel(
          bytesByteSource(bin.slice(0, bin.length - 4), 'stories260K.bin'),
          tokSource(),
        ),
      /stories260K\.bin: llama2\.c checkpoint size mismatch — the header implies 1056540 bytes but the file has 1056536/,
    );
    await expectRejection(
      () => loadLlama2cModel(bytesByteSource(bin.slice(0, 20), 'stories260K.bin'), tokSource()),
      /stories260K\.bin: too short for a llama2\.c header/,
    );
  });

  it('a truncated tok512.bin names the tokenizer file', async () => {
    await expectRejection(
      () =>
        loadLlama2cModel(
          bytesByteSource(bin, 'stories260K.bin'),
          bytesByteSource(tok.slice(0, 3000), 'tok512.bin'),
        ),
      /tok512\.bin: truncated at token \d+/,
    );
  });
});

describe('config.json that disagrees with the tensors', () => {
  it('hidden_size changed: names config.json, the safetensors file and the tensors', async () => {
    const config = tinyConfig((c) => {
      c.hidden_size = 96;
    });
    await expectRejection(
      () => loadHfModel(tinyDir({ 'config.json': config })),
      /tinystories-12L\/model\.safetensors: the checkpoint does not match tinystories-12L\/config\.json/,
      /tensor model\.embed_tokens\.weight in tinystories-12L\/model\.safetensors has shape \[512, 128\], but tinystories-12L\/config\.json needs \[512, 96\]/,
    );
  });

  it('intermediate_size changed: names the MLP tensors', async () => {
    const config = tinyConfig((c) => {
      c.intermediate_size = 256;
    });
    await expectRejection(
      () => loadHfModel(tinyDir({ 'config.json': config })),
      /tensor model\.layers\.0\.mlp\.gate_proj\.weight in tinystories-12L\/model\.safetensors has shape \[352, 128\], but tinystories-12L\/config\.json needs \[256, 128\]/,
    );
  });

  it('num_hidden_layers too large or too small: names the missing or unexpected tensors', async () => {
    await expectRejection(
      () =>
        loadHfModel(
          tinyDir({
            'config.json': tinyConfig((c) => {
              c.num_hidden_layers = 13;
            }),
          }),
        ),
      /tinystories-12L\/model\.safetensors: the checkpoint does not match/,
      /missing tensor model\.layers\.12\.self_attn\.q_proj\.weight/,
    );
    await expectRejection(
      () =>
        loadHfModel(
          tinyDir({
            'config.json': tinyConfig((c) => {
              c.num_hidden_layers = 11;
            }),
          }),
        ),
      /tinystories-12L\/model\.safetensors: the checkpoint does not match/,
      /unexpected tensor model\.layers\.11\./,
    );
  });

  it('num_key_value_heads changed: names the k/v projections', async () => {
    await expectRejection(
      () =>
        loadHfModel(
          tinyDir({
            'config.json': tinyConfig((c) => {
              c.num_key_value_heads = 8;
            }),
          }),
        ),
      /tensor model\.layers\.0\.self_attn\.k_proj\.weight in .* has shape \[64, 128\], but .*config\.json needs \[128, 128\]/,
    );
  });

  it('invalid or missing config.json names the file and the field', async () => {
    await expectRejection(
      () => loadHfModel(tinyDir({ 'config.json': text('{"model_type": "llama", ') })),
      /tinystories-12L\/config\.json: invalid JSON/,
    );
    await expectRejection(
      () =>
        loadHfModel(
          tinyDir({
            'config.json': tinyConfig((c) => {
              delete c.hidden_size;
            }),
          }),
        ),
      /tinystories-12L\/config\.json: missing required field "hidden_size"/,
    );
    await expectRejection(
      () => loadHfModel(tinyDir({ 'config.json': undefined })),
      /tinystories-12L: config\.json not found/,
    );
    await expectRejection(
      () => loadHfModel(tinyDir({ 'model.safetensors': undefined })),
      /tinystories-12L: neither model\.safetensors\.index\.json nor model\.safetensors found/,
    );
  });
});

describe('sharded checkpoints', () => {
  let shardFiles: Record<string, Uint8Array>;
  let stories: LoadedModel;

  beforeAll(async () => {
    stories = await loadStories260K();
    const sink = new MemorySink();
    await saveHfModel(stories.model, sink, {
      maxShardBytes: 300_000,
      extraFiles: new Map([['tokenizer.model', await readFixture(`${STORIES}/tok512.model`)]]),
    });
    shardFiles = Object.fromEntries(sink.files);
  });

  afterAll(() => stories?.model.dispose());

  it('a missing shard names the index file and the shard', async () => {
    const shards = Object.keys(shardFiles)
      .filter((f) => f.endsWith('.safetensors'))
      .sort();
    expect(shards.length).toBeGreaterThan(2);
    const missing = shards[1] as string;
    const files = { ...shardFiles };
    delete files[missing];
    await expectRejection(
      () => loadHfModel(memoryModelDirectory(files, 'sharded')),
      new RegExp(
        `sharded/model\\.safetensors\\.index\\.json: shard "${missing.replaceAll('.', '\\.')}" listed in weight_map is missing`,
      ),
    );
  });

  it('a truncated shard names the shard file', async () => {
    const shards = Object.keys(shardFiles)
      .filter((f) => f.endsWith('.safetensors'))
      .sort();
    const last = shards[shards.length - 1] as string;
    const files = { ...shardFiles, [last]: (shardFiles[last] as Uint8Array).slice(0, 20_000) };
    await expectRejection(
      () => loadHfModel(memoryModelDirectory(files, 'sharded')),
      new RegExp(
        `sharded/${last.replaceAll('.', '\\.')}: tensor "[\\w.]+" data_offsets .* extend past the end`,
      ),
    );
  });
});

describe('unsupported architectures', () => {
  it('config.json with another model_type or architecture names the field', async () => {
    await expectRejection(
      () =>
        loadHfModel(
          tinyDir({
            'config.json': tinyConfig((c) => {
              c.model_type = 'gemma';
            }),
          }),
        ),
      /tinystories-12L\/config\.json: unsupported model_type "gemma"/,
    );
    const gpt2 = tinyConfig((c) => {
      c.architectures = ['GPT2LMHeadModel'];
    });
    await expectRejection(
      () => loadHfModel(tinyDir({ 'config.json': gpt2 })),
      /tinystories-12L\/config\.json: unsupported architectures \["GPT2LMHeadModel"\]/,
    );
    await expectRejection(
      () =>
        loadHfModel(
          tinyDir({
            'config.json': tinyConfig((c) => {
              c.hidden_act = 'gelu';
            }),
          }),
        ),
      /tinystories-12L\/config\.json: unsupported hidden_act "gelu"/,
    );
  });

  it('GGUF whose general.architecture is not llama names the file and the key', async () => {
    const patched = gguf.slice();
    const key = indexOf(patched, text('general.architecture'));
    // key, then u32 value type (8 = string), u64 length 5, then the value "llama".
    const value = key + 'general.architecture'.length + 4 + 8;
    expect(new TextDecoder().decode(patched.subarray(value, value + 5))).toBe('llama');
    patched.set(text('gemma'), value);
    await expectRejection(
      () => loadGgufModel(bytesByteSource(patched, 'stories260K.gguf')),
      /stories260K\.gguf: unsupported general\.architecture "gemma"; only "llama" is supported/,
    );
  });
});
