/**
 * The trainable replacements: how they are built from the window's first layer, and the `ffn`
 * block's encoding as a LLaMA decoder layer with a zero attention output — saved with
 * saveHfModel, reloaded with loadHfModel, it must compute exactly what the in-memory block does.
 */
import {
  LlamaDecoderLayer,
  LlamaForCausalLM,
  loadHfModel,
  MemorySink,
  memoryModelDirectory,
  parseHfConfig,
  saveHfModel,
  type Tokenizer,
} from '@llm-streamline/llm';
import { cast, copy, data, keep, type Tensor, tensor } from '@llm-streamline/tensor';
import { readFixture } from '@llm-streamline/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfnBlock, ffnReplacement, layerReplacement, noReplacement } from '../src/index.js';
import {
  loadStories260K,
  logitsOf,
  maxAbs,
  maxAbsDiff,
  storiesParagraphs,
  uniform,
} from './helpers.js';

let model: LlamaForCausalLM;
let tokenizer: Tokenizer;
let blocks: number[][];

beforeAll(async () => {
  ({ model, tokenizer } = await loadStories260K());
  const ids = tokenizer.encode(await storiesParagraphs(0, 2), { bos: true, eos: false });
  blocks = [ids.slice(0, 24), ids.slice(24, 48)];
});

afterAll(() => model.dispose());

async function sameState(a: Map<string, Tensor>, b: Map<string, Tensor>): Promise<void> {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [name, t] of a)
    expect(maxAbsDiff(await data(t), await data(b.get(name) as Tensor)), name).toBe(0);
}

describe('building replacements', () => {
  it('none removes n layers and builds nothing; layer and ffn span n + 1', () => {
    expect(noReplacement.windowSize(2)).toBe(2);
    expect(noReplacement.create({ model, start: 0, size: 2, seed: 0 }, {})).toBeUndefined();
    expect(layerReplacement.windowSize(2)).toBe(3);
    expect(ffnReplacement.windowSize(2)).toBe(3);
  });

  it('layer: a copy of the window’s first layer, with its own tensors', async () => {
    const layer = layerReplacement.create(
      { model, start: 2, size: 2, seed: 0 },
      {},
    ) as LlamaDecoderLayer;
    expect(layer).toBeInstanceOf(LlamaDecoderLayer);
    const source = model.layers.at(2).stateDict();
    await sameState(layer.stateDict(), source);
    for (const [name, t] of layer.stateDict()) expect(t, name).not.toBe(source.get(name));
    layer.dispose();
    // The source layer is untouched by disposing the copy.
    const up = model.layers.at(2).stateDict().get('mlp.up_proj.weight') as Tensor;
    expect(up.isDisposed).toBe(false);
    expect((await data(up)).length).toBe(172 * 64);
  });

  it('ffn: the first layer’s MLP and post-attention norm (or random), hidden size checked', async () => {
    const block = ffnReplacement.create(
      { model, start: 1, size: 2, seed: 0 },
      { init: 'layer' },
    ) as FfnBlock;
    expect(block).toBeInstanceOf(FfnBlock);
    const source = model.layers.at(1).stateDict();
    const want = new Map([...block.stateDict().keys()].map((k) => [k, source.get(k) as Tensor]));
    await sameState(block.stateDict(), want);
    expect(block.parameterCount()).toBe(64 + 3 * 64 * 172);
    block.dispose();

    const random = ffnReplacement.create(
      { model, start: 1, size: 2, seed: 0 },
      { init: 'random', hidden: 32 },
    ) as FfnBlock;
    expect(random.hidden).toBe(32);
    expect(random.asLlamaLayer()).toEqual({
      reason: "its hidden size 32 differs from the model's intermediate_size 172",
    });
    random.dispose();
    expect(() =>
      ffnReplacement.create({ model, start: 1, size: 2, seed: 0 }, { init: 'layer', hidden: 32 }),
    ).toThrow(/cannot initialise a hidden size of 32/);
  });
});

describe('replacements of a model held in 16 bits', () => {
  it('layer and ffn start as f32 copies of the bf16 weights (trained weights stay f32)', async () => {
    // The window's first layer with its weight matrices held as bf16, as a BF16 checkpoint loads.
    const source = new LlamaDecoderLayer(model.config, 5, 1);
    const loaded = model.layers.at(1).stateDict();
    for (const [name, v] of source.namedParameters()) {
      const from = loaded.get(name) as Tensor;
      v.value.dispose();
      v.value = keep(from.rank === 2 ? cast(from, 'bf16') : copy(from));
    }
    const layers = [...model.layers];
    model.layers.splice(1, 1, source);
    try {
      const built = [
        layerReplacement.create({ model, start: 1, size: 2, seed: 0 }, {}) as LlamaDecoderLayer,
        ffnReplacement.create({ model, start: 1, size: 2, seed: 0 }, { init: 'layer' }) as FfnBlock,
      ];
      const held = source.stateDict();
      for (const module of built) {
        for (const [name, t] of module.stateDict()) {
          expect(t.dtype, name).toBe('f32');
          // data() decodes bf16 on the CPU (half-float.ts): the copy holds exactly those values.
          expect(maxAbsDiff(await data(t), await data(held.get(name) as Tensor)), name).toBe(0);
        }
        module.dispose();
      }
    } finally {
      model.layers.splice(1, 1, layers[1] as LlamaDecoderLayer);
      source.dispose();
    }
  });
});

describe('ffn block saved as a decoder layer', () => {
  it('reloads as a LLaMA layer with a zero attention output and reproduces the logits', async () => {
    const block = new FfnBlock(model.config, model.config.intermediateSize, 123);
    // A non-trivial norm weight too (the constructor sets ones).
    const r = uniform(9, 0.5, 1.5);
    const norm = tensor(
      Float32Array.from({ length: 64 }, () => r()),
      [64],
    );
    block.loadStateDict(new Map([['post_attention_layernorm.weight', norm]]), { strict: false });
    norm.dispose();

    const removed = model.layers.splice(2, 2, block);
    let inMemory: Float32Array;
    let withoutBlock: Float32Array;
    const sink = new MemorySink();
    try {
      inMemory = await logitsOf(model, blocks);
      await saveHfModel(model, sink, {
        extraFiles: new Map([['tokenizer.model', await readFixture('stories260K/tok512.model')]]),
      });
      model.layers.splice(2, 1);
      withoutBlock = await logitsOf(model, blocks);
    } finally {
      model.layers.splice(2, model.layers.length - 3, ...removed);
      block.dispose();
    }
    expect(model.layers.length).toBe(5);

    const config = JSON.parse(new TextDecoder().decode(sink.files.get('config.json')));
    expect(config.num_hidden_layers).toBe(4);
    const reloaded = await loadHfModel(memoryModelDirectory(Object.fromEntries(sink.files)));
    try {
      const layer = reloaded.model.layers.at(2);
      expect(layer).toBeInstanceOf(LlamaDecoderLayer);
      const state = layer.stateDict();
      expect(maxAbs(await data(state.get('self_attn.o_proj.weight') as Tensor))).toBe(0);
      const got = await logitsOf(reloaded.model, blocks);
      expect(maxAbsDiff(got, inMemory)).toBeLessThan(1e-5);
      // The block matters: without it the logits are far off.
      expect(maxAbsDiff(withoutBlock, inMemory)).toBeGreaterThan(0.1);
    } finally {
      reloaded.model.dispose();
    }
  });

  // The bias layouts of other architectures: the stub must carry zero q/k/v (Qwen2; LLaMA's
  // attention_bias, with o) and MLP (mlp_bias) biases, or the saved layer would not load.
  const shared = {
    hidden_size: 32,
    intermediate_size: 48,
    num_hidden_layers: 3,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    vocab_size: 512,
  };
  for (const json of [
    { ...shared, model_type: 'qwen2', use_sliding_window: true, max_window_layers: 2 },
    { ...shared, model_type: 'llama', attention_bias: true, mlp_bias: true },
  ]) {
    it(`saves as a ${json.model_type} layer with the architecture's zero biases`, async () => {
      const random = new LlamaForCausalLM(parseHfConfig(json, 'config.json'), { seed: 3 });
      const block = new FfnBlock(random.config, random.config.intermediateSize, 5);
      for (const old of random.layers.splice(1, 1, block)) old.dispose();
      const sink = new MemorySink();
      let inMemory: Float32Array;
      try {
        inMemory = await logitsOf(random, blocks);
        await saveHfModel(random, sink, {
          extraFiles: new Map([['tokenizer.model', await readFixture('stories260K/tok512.model')]]),
        });
      } finally {
        random.dispose();
      }
      const config = JSON.parse(new TextDecoder().decode(sink.files.get('config.json')));
      expect(config.model_type).toBe(json.model_type);
      const reloaded = await loadHfModel(memoryModelDirectory(Object.fromEntries(sink.files)));
      try {
        expect(maxAbsDiff(await logitsOf(reloaded.model, blocks), inMemory)).toBeLessThan(1e-5);
      } finally {
        reloaded.model.dispose();
      }
    });
  }
});
