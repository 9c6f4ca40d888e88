/**
 * A pruned model written as GGUF: the `ffn` replacement block goes in as a LLaMA decoder layer with
 * a zero attention output (its `asLlamaLayer` encoding), and the GGUF, loaded back through the GGUF
 * reader, computes what the in-memory pruned model does (F32: within 1e-5). With LLaMA's attention
 * and MLP biases, the biases travel too (q/k biases permuted like their rows).
 */
import {
  bytesByteSource,
  LlamaForCausalLM,
  loadGgufModel,
  MemorySink,
  parseHfConfig,
  saveGgufModel,
  type Tokenizer,
} from '@llm-streamline/llm';
import { readFixture } from '@llm-streamline/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { FfnBlock } from '../src/index.js';
import { loadStories260K, logitsOf, maxAbsDiff, storiesParagraphs } from './helpers.js';

let model: LlamaForCausalLM;
let tokenizer: Tokenizer;
let tokenizerModel: Uint8Array;
let blocks: number[][];

beforeAll(async () => {
  ({ model, tokenizer } = await loadStories260K());
  tokenizerModel = await readFixture('stories260K/tok512.model');
  const ids = tokenizer.encode(await storiesParagraphs(0, 2), { bos: true, eos: false });
  blocks = [ids.slice(0, 24), ids.slice(24, 48)];
});

/** The model written as F32 GGUF (with tok512.model) and loaded back; its logits on `blocks`. */
async function throughGguf(m: LlamaForCausalLM): Promise<Float32Array> {
  const sink = new MemorySink();
  await saveGgufModel(m, sink, 'pruned.gguf', {
    tokenizerFiles: new Map([['tokenizer.model', tokenizerModel]]),
  });
  const back = await loadGgufModel(
    bytesByteSource(sink.files.get('pruned.gguf') as Uint8Array, 'pruned.gguf'),
  );
  try {
    expect(back.model.layers.length).toBe(m.layers.length);
    return await logitsOf(back.model, blocks);
  } finally {
    back.model.dispose();
  }
}

describe('a pruned model (ffn replacement) written as GGUF', () => {
  it('stories260K with layers 2–3 replaced: the same logits', async () => {
    const block = new FfnBlock(model.config, model.config.intermediateSize, 123);
    const removed = model.layers.splice(2, 2, block);
    try {
      const inMemory = await logitsOf(model, blocks);
      const diff = maxAbsDiff(await throughGguf(model), inMemory);
      console.log(`pruned stories260K (ffn) → GGUF F32: logits max |diff| ${diff}`);
      expect(diff).toBeLessThanOrEqual(1e-5);
    } finally {
      model.layers.splice(2, 1, ...removed);
      block.dispose();
    }
  });

  it('LLaMA with attention and MLP biases: the same logits', async () => {
    const random = new LlamaForCausalLM(
      parseHfConfig(
        {
          model_type: 'llama',
          hidden_size: 32,
          intermediate_size: 48,
          num_hidden_layers: 3,
          num_attention_heads: 4,
          num_key_value_heads: 2,
          vocab_size: 512,
          attention_bias: true,
          mlp_bias: true,
        },
        'config.json',
      ),
      { seed: 3 },
    );
    const block = new FfnBlock(random.config, random.config.intermediateSize, 5);
    for (const old of random.layers.splice(1, 1, block)) old.dispose();
    try {
      const diff = maxAbsDiff(await throughGguf(random), await logitsOf(random, blocks));
      expect(diff).toBeLessThanOrEqual(1e-5);
    } finally {
      random.dispose();
    }
  });
});
