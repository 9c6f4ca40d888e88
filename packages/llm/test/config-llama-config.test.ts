import { readFixture, readFixtureText } from '@llm-streamline/test-utils';
import { describe, expect, it } from 'vitest';
import { llamaConfigFromGguf } from '../src/config/gguf-config.js';
import { type LlamaConfig, parseHfConfig, toHfConfig } from '../src/config/llama-config.js';
import { llamaConfigFromLlama2c } from '../src/config/llama2c-config.js';
import { shortestFloat32 } from '../src/config/shortest-float32.js';
import { bytesByteSource } from '../src/io/byte-source.js';
import { parseGguf } from '../src/io/gguf.js';
import { parseLlama2cCheckpoint } from '../src/io/llama2c.js';

const tinystories: LlamaConfig = {
  modelType: 'llama',
  hiddenSize: 128,
  intermediateSize: 352,
  numLayers: 12,
  numHeads: 8,
  numKvHeads: 4,
  headDim: 16,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  tieWordEmbeddings: true,
  vocabSize: 512,
  bosTokenId: 1,
  eosTokenId: 2,
  qkvBias: false,
  oBias: false,
  mlpBias: false,
  maxPositionEmbeddings: 512,
  extraFields: { initializer_range: 0.02 },
};

async function tinystoriesJson(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFixtureText('tinystories-12L/config.json'));
}

describe('parseHfConfig', () => {
  it('parses tinystories-12L/config.json', async () => {
    expect(parseHfConfig(await tinystoriesJson(), 'config.json')).toEqual(tinystories);
  });

  it('round-trips through toHfConfig', async () => {
    const json = toHfConfig(tinystories);
    expect(json).toMatchObject({
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      hidden_act: 'silu',
      rope_scaling: null,
    });
    expect(parseHfConfig(json, 'x')).toEqual(tinystories);
    const scaled: LlamaConfig = {
      ...tinystories,
      ropeScaling: {
        type: 'llama3',
        factor: 8,
        lowFreqFactor: 1,
        highFreqFactor: 4,
        originalMaxPositionEmbeddings: 8192,
      },
      eosTokenId: [2, 3],
      bosTokenId: null,
    };
    expect(parseHfConfig(JSON.parse(JSON.stringify(toHfConfig(scaled))), 'x')).toEqual(scaled);
  });

  it('applies HF defaults for optional fields', () => {
    const minimal = {
      model_type: 'llama',
      hidden_size: 64,
      intermediate_size: 128,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      vocab_size: 100,
    };
    expect(parseHfConfig(minimal, 'c.json')).toEqual({
      modelType: 'llama',
      hiddenSize: 64,
      intermediateSize: 128,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 4,
      headDim: 16,
      rmsNormEps: 1e-6,
      ropeTheta: 10000,
      tieWordEmbeddings: false,
      vocabSize: 100,
      bosTokenId: 1,
      eosTokenId: 2,
      qkvBias: false,
      oBias: false,
      mlpBias: false,
      maxPositionEmbeddings: 2048,
    });
  });

  it('reads llama3 rope scaling from rope_scaling and from rope_parameters', async () => {
    const base = await tinystoriesJson();
    const scaling = {
      factor: 32,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 8192,
    };
    const a = parseHfConfig(
      { ...base, rope_theta: 500000, rope_scaling: { rope_type: 'llama3', ...scaling } },
      'a',
    );
    const b = parseHfConfig(
      {
        ...base,
        rope_theta: undefined,
        rope_parameters: { rope_type: 'llama3', rope_theta: 500000, ...scaling },
      },
      'b',
    );
    const expected = {
      type: 'llama3',
      factor: 32,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 8192,
    };
    expect(a.ropeScaling).toEqual(expected);
    expect(b.ropeScaling).toEqual(expected);
    expect(b.ropeTheta).toBe(500000);
    expect(
      parseHfConfig({ ...base, rope_scaling: { type: 'default' } }, 'c').ropeScaling,
    ).toBeUndefined();
  });

  it('rejects unsupported models naming the field', async () => {
    const base = await tinystoriesJson();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ model_type: 'gemma' }, /config\.json: unsupported model_type "gemma"/],
      [
        { architectures: ['MistralForCausalLM'] },
        /config\.json: unsupported architectures \["MistralForCausalLM"\]/,
      ],
      [{ hidden_act: 'gelu' }, /config\.json: unsupported hidden_act "gelu"/],
      [
        { rope_scaling: { type: 'dynamic', factor: 2 } },
        /config\.json: unsupported rope_scaling\.rope_type "dynamic"/,
      ],
      [{ rope_scaling: { rope_type: 'yarn', factor: 2 } }, /rope_scaling\.rope_type "yarn"/],
      [
        { rope_scaling: { rope_type: 'llama3', factor: 8 } },
        /config\.json: rope_scaling: missing required field "low_freq_factor"/,
      ],
      [{ hidden_size: undefined }, /config\.json: missing required field "hidden_size"/],
      [
        { num_hidden_layers: 2.5 },
        /config\.json: field "num_hidden_layers" must be a positive integer, found 2\.5/,
      ],
      [
        { num_key_value_heads: 3 },
        /num_attention_heads \(8\) must be a multiple of num_key_value_heads \(3\)/,
      ],
      [{ eos_token_id: 600 }, /special token id 600 is outside the vocabulary/],
      [{ tie_word_embeddings: 'yes' }, /field "tie_word_embeddings" must be a boolean/],
    ];
    for (const [patch, message] of cases) {
      expect(
        () => parseHfConfig({ ...base, ...patch }, 'config.json'),
        JSON.stringify(patch),
      ).toThrow(message);
    }
    expect(() => parseHfConfig([], 'config.json')).toThrow(/config\.json: expected a JSON object/);
  });
});

describe('configs derived from stories260K', () => {
  it('GGUF metadata and the llama2.c header agree on the architecture', async () => {
    const gguf = await parseGguf(
      bytesByteSource(await readFixture('stories260K/stories260K.gguf'), 'stories260K.gguf'),
    );
    const ckpt = await parseLlama2cCheckpoint(
      bytesByteSource(await readFixture('stories260K/stories260K.bin'), 'stories260K.bin'),
    );
    const fromGguf = llamaConfigFromGguf(gguf);
    const fromBin = llamaConfigFromLlama2c(ckpt.header);
    const shared = {
      modelType: 'llama',
      hiddenSize: 64,
      intermediateSize: 172,
      numLayers: 5,
      numHeads: 8,
      numKvHeads: 4,
      headDim: 8,
      rmsNormEps: 1e-5,
      ropeTheta: 10000,
      vocabSize: 512,
      bosTokenId: 1,
      eosTokenId: 2,
      qkvBias: false,
      oBias: false,
      mlpBias: false,
    };
    expect(fromGguf).toEqual({ ...shared, tieWordEmbeddings: false, maxPositionEmbeddings: 2048 });
    expect(fromBin).toEqual({ ...shared, tieWordEmbeddings: true, maxPositionEmbeddings: 512 });
  });

  it('GGUF config errors name the file and key', async () => {
    const bytes = await readFixture('stories260K/stories260K.gguf');
    const gguf = await parseGguf(bytesByteSource(bytes, 'stories260K.gguf'));
    const kv = new Map(gguf.kv);
    kv.set('general.architecture', 'gpt2');
    expect(() => llamaConfigFromGguf({ ...gguf, kv })).toThrow(
      /stories260K\.gguf: unsupported general\.architecture "gpt2"/,
    );
    const kv2 = new Map(gguf.kv);
    kv2.delete('llama.block_count');
    expect(() => llamaConfigFromGguf({ ...gguf, kv: kv2 })).toThrow(
      /stories260K\.gguf: missing metadata "llama\.block_count"/,
    );
    const kv3 = new Map(gguf.kv);
    kv3.set('llama.rope.scaling.type', 'yarn');
    expect(() => llamaConfigFromGguf({ ...gguf, kv: kv3 })).toThrow(
      /unsupported llama\.rope\.scaling\.type "yarn"/,
    );
  });

  it('shortestFloat32 recovers the written decimal', () => {
    expect(shortestFloat32(Math.fround(1e-5))).toBe(1e-5);
    expect(shortestFloat32(Math.fround(1e-6))).toBe(1e-6);
    expect(shortestFloat32(Math.fround(500000))).toBe(500000);
    expect(shortestFloat32(Math.fround(0.1))).toBe(0.1);
  });
});
