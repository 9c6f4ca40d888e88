/**
 * LLaMA (llama3 and linear RoPE, attention and MLP biases), Mistral (head_dim · heads ≠ hidden,
 * sliding window) and Qwen2 (q/k/v biases, tied and untied) against a naive float64 forward pass
 * (architecture-reference.ts), on tiny random checkpoints written as Hugging Face folders and loaded
 * through loadHfModel; a pruned checkpoint saved through saveHfModel reloads with the same logits
 * and keeps its architecture; bad configs fail with one line naming the file and the field.
 */
import { getDevice } from '@llm-streamline/tensor';
import { maxAbsDiff, readFixture, rng, testRuntime } from '@llm-streamline/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ModelDirectory, memoryModelDirectory } from '../src/io/model-directory.js';
import { type LoadedModel, loadHfModel } from '../src/load/load-model.js';
import { MemorySink } from '../src/save/output-sink.js';
import { saveHfModel } from '../src/save/save-model.js';
import {
  type HfConfigJson,
  hfFiles,
  randomWeights,
  referenceLogits,
  type Weights,
} from './architecture-reference.js';
import { logitsOf } from './model-helpers.js';

const VOCAB = 96;
const COMMON = {
  vocab_size: VOCAB,
  hidden_act: 'silu',
  max_position_embeddings: 256,
  rms_norm_eps: 1e-5,
  num_hidden_layers: 2,
  bos_token_id: 1,
  eos_token_id: 2,
  torch_dtype: 'float32',
};

const CASES: Record<string, HfConfigJson> = {
  'llama, llama3 rope, GQA, untied': {
    ...COMMON,
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: 48,
    intermediate_size: 80,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    rope_theta: 10000,
    // head_dim 12: wavelengths 6, 29 (kept), 135 (blended), 628… (divided by the factor)
    rope_scaling: {
      rope_type: 'llama3',
      factor: 8,
      low_freq_factor: 1,
      high_freq_factor: 4,
      original_max_position_embeddings: 512,
    },
    tie_word_embeddings: false,
  },
  'llama, linear rope (legacy "type"), attention_bias and mlp_bias, tied': {
    ...COMMON,
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: 32,
    intermediate_size: 64,
    num_attention_heads: 4,
    num_key_value_heads: 4,
    rope_theta: 500,
    rope_scaling: { type: 'linear', factor: 4 },
    attention_bias: true,
    mlp_bias: true,
    tie_word_embeddings: true,
  },
  'mistral, head_dim · heads ≠ hidden, within sliding_window': {
    ...COMMON,
    architectures: ['MistralForCausalLM'],
    model_type: 'mistral',
    hidden_size: 32,
    intermediate_size: 64,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    head_dim: 16,
    rope_theta: 10000,
    sliding_window: 16,
    tie_word_embeddings: false,
  },
  'qwen2, q/k/v biases, untied, no sliding window': {
    ...COMMON,
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    hidden_size: 64,
    intermediate_size: 96,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    rope_theta: 1000000,
    use_sliding_window: false,
    sliding_window: 4,
    max_window_layers: 1,
    bos_token_id: null,
    tie_word_embeddings: false,
  },
  'qwen2, q/k/v biases, tied, layer 1 sliding (within the window)': {
    ...COMMON,
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    hidden_size: 32,
    intermediate_size: 48,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    rope_theta: 10000,
    use_sliding_window: true,
    sliding_window: 12,
    max_window_layers: 1,
    tie_word_embeddings: true,
  },
};

const T = 10;
const loaded: LoadedModel[] = [];
let tokenizerModel: Uint8Array;
let ids: number[];

beforeAll(async () => {
  await getDevice();
  tokenizerModel = await readFixture('stories260K/tok512.model');
  const next = rng(7);
  ids = Array.from({ length: T + 8 }, () => Math.floor(next() * VOCAB));
});

afterAll(() => {
  for (const m of loaded) m.model.dispose();
});

/**
 * An HF folder with these files (and a tokenizer): in Node a real folder in the temp dir, read
 * through nodeModelDirectory; in a browser an in-memory directory.
 */
async function hfFolder(name: string, files: Record<string, Uint8Array>): Promise<ModelDirectory> {
  const all = { ...files, 'tokenizer.model': tokenizerModel };
  if (testRuntime !== 'node') return memoryModelDirectory(all, name);
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { nodeModelDirectory } = await import('../src/io/node-model-directory.js');
  const dir = await mkdtemp(join(tmpdir(), `llms-${name}-`));
  for (const [file, bytes] of Object.entries(all)) await writeFile(join(dir, file), bytes);
  return nodeModelDirectory(dir);
}

async function loadFiles(name: string, files: Record<string, Uint8Array>): Promise<LoadedModel> {
  const m = await loadHfModel(await hfFolder(name, files));
  loaded.push(m);
  return m;
}

const load = (name: string, config: HfConfigJson, weights: Weights) =>
  loadFiles(name, hfFiles(config, weights));

describe('architectures against a float64 reference', () => {
  for (const [i, [name, config]] of Object.entries(CASES).entries()) {
    it(name, async () => {
      const weights = randomWeights(config, 100 * (i + 2));
      const { model } = await load('arch', config, weights);
      const prompt = ids.slice(0, T);
      const actual = await logitsOf(model, prompt);
      const expected = referenceLogits(config, weights, prompt);
      expect(actual).toBeAllclose(expected, { atol: 1e-4, rtol: 0 });
    });
  }

  it('applies sliding_window to sequences longer than it (forward and KV-cache decode)', async () => {
    for (const [name, config] of [
      ['mistral, head_dim · heads ≠ hidden, within sliding_window', { sliding_window: 5 }],
      ['qwen2, q/k/v biases, tied, layer 1 sliding (within the window)', { sliding_window: 4 }],
    ] as const) {
      const windowed = { ...(CASES[name] as HfConfigJson), ...config };
      const weights = randomWeights(windowed, 77);
      const { model } = await load('window', windowed, weights);
      const prompt = ids.slice(0, 16);
      const expected = referenceLogits(windowed, weights, prompt);
      expect(await logitsOf(model, prompt), name).toBeAllclose(expected, { atol: 1e-4, rtol: 0 });
      // The same positions decoded one token at a time through the KV cache.
      const cache = model.createKvCache(1, prompt.length);
      const stepwise: number[] = [];
      for (const id of prompt) stepwise.push(...(await logitsOf(model, [id], { cache })));
      cache.dispose();
      expect(stepwise, `${name} (decode)`).toBeAllclose(expected, { atol: 1e-4, rtol: 0 });
      // Without the window the logits differ: the test sees it.
      const full = referenceLogits({ ...windowed, sliding_window: null }, weights, prompt);
      expect(maxAbsDiff(expected, full)).toBeGreaterThan(1e-3);
    }
  });
});

describe('a pruned checkpoint keeps its architecture', () => {
  const qwen: HfConfigJson = {
    ...(CASES['qwen2, q/k/v biases, untied, no sliding window'] as HfConfigJson),
    num_hidden_layers: 3,
    use_sliding_window: true,
    sliding_window: 64,
    max_window_layers: 1,
    torch_dtype: 'bfloat16',
    bos_token_id: 5,
    attention_dropout: 0.0,
    use_cache: true,
    transformers_version: '4.43.1',
  };

  it('Qwen2 without layer 1: same logits after save and reload, per-layer fields follow', async () => {
    const weights = randomWeights(qwen, 900);
    const original = await load('qwen3l', qwen, weights);
    original.model.layers.splice(1, 1)[0]?.dispose();
    const prompt = ids.slice(0, T);
    const pruned = await logitsOf(original.model, prompt);

    // The oracle: the same weights with layer 2 renamed to 1, under the config the save should write.
    const expectedConfig = {
      ...qwen,
      num_hidden_layers: 2,
      layer_types: ['full_attention', 'sliding_attention'],
    };
    const renamed: Weights = new Map();
    for (const [name, t] of weights) {
      if (name.startsWith('model.layers.1.')) continue;
      renamed.set(name.replace('model.layers.2.', 'model.layers.1.'), t);
    }
    expect(pruned).toBeAllclose(referenceLogits(expectedConfig, renamed, prompt), {
      atol: 1e-4,
      rtol: 0,
    });

    const sink = new MemorySink();
    await saveHfModel(original.model, sink);
    const files = Object.fromEntries(sink.files);
    const config = JSON.parse(new TextDecoder().decode(files['config.json']));
    expect(config).toMatchObject({
      ...expectedConfig,
      architectures: ['Qwen2ForCausalLM'],
      model_type: 'qwen2',
      torch_dtype: 'float32',
      max_window_layers: 1,
    });
    expect(config).not.toHaveProperty('attention_bias');
    const back = await loadFiles('qwen-pruned', files);
    expect(back.config).toEqual({
      ...original.config,
      numLayers: 2,
      layerTypes: expectedConfig.layer_types,
      maxWindowLayers: 1,
    });
    expect(back.config.extraFields).toEqual({
      attention_dropout: 0,
      use_cache: true,
      transformers_version: '4.43.1',
    });
    expect(await logitsOf(back.model, prompt)).toEqual(pruned);
  });
});

describe('bad input: one line naming the file and the field or tensor', () => {
  const mistral = CASES[
    'mistral, head_dim · heads ≠ hidden, within sliding_window'
  ] as HfConfigJson;
  const qwen = CASES['qwen2, q/k/v biases, untied, no sliding window'] as HfConfigJson;

  async function rejects(config: HfConfigJson, weightsOf: HfConfigJson, ...patterns: RegExp[]) {
    // config.json from `config`, the tensors of a checkpoint of `weightsOf`.
    const files = {
      ...hfFiles(weightsOf, randomWeights(weightsOf, 5)),
      'config.json': new TextEncoder().encode(JSON.stringify(config)),
    };
    let error: unknown;
    try {
      (await loadFiles('bad', files)).model.dispose();
      loaded.pop();
    } catch (e) {
      error = e;
    }
    expect(error, 'the load should have failed').toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    for (const pattern of patterns) expect(message).toMatch(pattern);
  }

  it('unsupported model_type, rope type, activation, window fields', async () => {
    const cases: [HfConfigJson, RegExp][] = [
      [
        { model_type: 'gemma2' },
        /config\.json: unsupported model_type "gemma2"; supported: "llama", "mistral", "qwen2"/,
      ],
      [
        { architectures: ['LlamaForCausalLM'] },
        /config\.json: unsupported architectures \["LlamaForCausalLM"\]; expected \["MistralForCausalLM"\]/,
      ],
      [
        { rope_scaling: { rope_type: 'yarn', factor: 4 } },
        /config\.json: unsupported rope_scaling\.rope_type "yarn"/,
      ],
      [
        { rope_scaling: { rope_type: 'linear', type: 'llama3', factor: 4 } },
        /config\.json: rope_scaling\.rope_type "linear" and rope_scaling\.type "llama3" disagree/,
      ],
      [
        { hidden_act: 'gelu_pytorch_tanh' },
        /config\.json: unsupported hidden_act "gelu_pytorch_tanh"/,
      ],
      [
        { sliding_window: 0 },
        /config\.json: field "sliding_window" must be a positive integer or null, found 0/,
      ],
      [
        { layer_types: ['full_attention'] },
        /config\.json: field "layer_types" must list .* each of the 2 layers/,
      ],
    ];
    for (const [patch, pattern] of cases) await rejects({ ...mistral, ...patch }, mistral, pattern);
  });

  it('config sizes that disagree with the tensors name the tensor and both shapes', async () => {
    // head_dim 8 instead of 16: q_proj is [4·16, 32] in the file, [4·8, 32] by the config.
    await rejects(
      { ...mistral, head_dim: 8 },
      mistral,
      /tensor model\.layers\.0\.self_attn\.q_proj\.weight in \S*model\.safetensors has shape \[64, 32\], but \S*config\.json needs \[32, 32\]/,
    );
    // hidden_size 32 instead of 64.
    await rejects(
      { ...qwen, hidden_size: 32 },
      qwen,
      /tensor model\.layers\.0\.self_attn\.q_proj\.weight in \S*model\.safetensors has shape \[64, 64\], but \S*config\.json needs \[32, 32\]/,
    );
    // The bias layout of another architecture: Qwen2 wants q/k/v biases a LLaMA file lacks, and back.
    const llama = { ...qwen, model_type: 'llama', architectures: ['LlamaForCausalLM'] };
    await rejects(
      qwen,
      llama,
      /missing tensor model\.layers\.0\.self_attn\.q_proj\.bias \(expected \[64\]\)/,
    );
    await rejects(llama, qwen, /unexpected tensor model\.layers\.0\.self_attn\.q_proj\.bias/);
  });
});
