/**
 * Parameter counts by part from tensor headers: each name format classified through
 * weight-names.ts, and the same model stored as llama2.c and GGUF counts the same per layer.
 */
import { readFixture, testRuntime } from '@llm-streamline/test-utils';
import { describe, expect, it } from 'vitest';
import { llamaConfigFromLlama2c } from '../src/config/llama2c-config.js';
import { describeCheckpoint } from '../src/describe/describe-checkpoint.js';
import { bytesByteSource } from '../src/io/byte-source.js';
import { parseGguf } from '../src/io/gguf.js';
import { parseLlama2cCheckpoint } from '../src/io/llama2c.js';
import type { TensorRecord } from '../src/io/tensor-index.js';
import { weightPart } from '../src/io/weight-names.js';

/** A header-only record: describeCheckpoint reads names, shapes and dtypes. */
function record(name: string, shape: number[], dtype: TensorRecord['dtype'] = 'F32'): TensorRecord {
  return { name, shape, dtype } as unknown as TensorRecord;
}

describe('weightPart', () => {
  it('places every HF parameter of a LLaMA, and nothing else', () => {
    expect(weightPart('model.embed_tokens.weight')).toEqual({ part: 'embedding' });
    expect(weightPart('lm_head.weight')).toEqual({ part: 'head' });
    expect(weightPart('model.norm.weight')).toEqual({ part: 'norms' });
    expect(weightPart('model.layers.3.self_attn.k_proj.weight')).toEqual({
      part: 'attention',
      layer: 3,
    });
    expect(weightPart('model.layers.0.mlp.down_proj.weight')).toEqual({ part: 'mlp', layer: 0 });
    expect(weightPart('model.layers.11.post_attention_layernorm.weight')).toEqual({
      part: 'norms',
      layer: 11,
    });
    expect(weightPart('model.layers.0.self_attn.rotary_emb.inv_freq')).toBeUndefined();
    expect(weightPart('blk.0.attn_q.weight')).toBeUndefined();
  });
});

describe('describeCheckpoint', () => {
  it('counts by part and by layer, in the names of each format', () => {
    const hf = describeCheckpoint('huggingface', 1, [
      record('model.embed_tokens.weight', [10, 4]),
      record('model.layers.0.self_attn.q_proj.weight', [4, 4]),
      record('model.layers.0.mlp.up_proj.weight', [6, 4], 'F16'),
      record('model.layers.0.input_layernorm.weight', [4]),
      record('model.norm.weight', [4]),
    ]);
    expect(hf.parameters).toEqual({
      embedding: 40,
      head: 0,
      norms: 8,
      attention: 16,
      mlp: 24,
      total: 88,
      perLayer: [{ layer: 0, attention: 16, mlp: 24, norms: 4, total: 44 }],
    });
    expect(hf.dtypes).toEqual({ F32: 4, F16: 1 });
    const gguf = describeCheckpoint('gguf', 1, [
      record('token_embd.weight', [10, 4]),
      record('blk.0.attn_q.weight', [4, 4]),
      record('rope_freqs.weight', [2]),
      record('output.weight', [10, 4]),
    ]);
    expect(gguf.parameters).toMatchObject({ embedding: 40, attention: 16, head: 40, total: 96 });
    expect(gguf.dtypes).toEqual({ F32: 3 });
    const l2c = describeCheckpoint('llama2c', 1, [
      record('w1.0', [6, 4]),
      record('freq_cis_real', [8]),
    ]);
    expect(l2c.parameters).toMatchObject({ mlp: 24, total: 24 });
  });

  it('counts stories260K the same from its .bin and its .gguf, layer by layer', async () => {
    const bin = bytesByteSource(
      await readFixture('stories260K/stories260K.bin'),
      'stories260K.bin',
    );
    const gguf = await parseGguf(
      bytesByteSource(await readFixture('stories260K/stories260K.gguf'), 'stories260K.gguf'),
    );
    const checkpoint = await parseLlama2cCheckpoint(bin);
    const config = llamaConfigFromLlama2c(checkpoint.header, 'stories260K.bin');
    const fromBin = describeCheckpoint('llama2c', config.numLayers, checkpoint.tensors.values());
    const fromGguf = describeCheckpoint('gguf', config.numLayers, gguf.tensors.values());
    expect(fromBin.parameters.perLayer).toEqual(fromGguf.parameters.perLayer);
    // dim 64, hidden 172, 8 heads of 8, 4 KV heads: 2·64·64 + 2·64·32 + 3·64·172 + 2·64 per layer.
    expect(fromBin.parameters.perLayer[0]?.total).toBe(12288 + 33024 + 128);
    expect(fromBin.parameters.head).toBe(0);
  });
});

describe.skipIf(testRuntime !== 'node')('Node: format detection and headers', () => {
  it('tells the three formats apart, and says when a file is none of them', async () => {
    const { detectModelFormat } = await import('../src/load/node-model-format.js');
    const { fixturePath } = await import('@llm-streamline/test-utils/paths');
    expect(await detectModelFormat(fixturePath('tinystories-12L'))).toBe('huggingface');
    expect(await detectModelFormat(fixturePath('stories260K/stories260K.gguf'))).toBe('gguf');
    expect(await detectModelFormat(fixturePath('stories260K/stories260K.bin'))).toBe('llama2c');
    expect(await detectModelFormat(fixturePath('tinystories-12L/config.json'))).toBeUndefined();
    await expect(detectModelFormat(fixturePath('does/not/exist'))).rejects.toThrow(
      /no such file or directory/,
    );
  });

  it('reads config and tensor records without the weights', async () => {
    const { readCheckpointHeaders } = await import('../src/load/node-checkpoint-headers.js');
    const { fixturePath } = await import('@llm-streamline/test-utils/paths');
    const hf = await readCheckpointHeaders(fixturePath('tinystories-12L'), 'huggingface');
    expect(hf.config.numLayers).toBe(12);
    expect(hf.tensors).toHaveLength(12 * 9 + 2);
    const gguf = await readCheckpointHeaders(fixturePath('stories260K/stories260K.gguf'), 'gguf');
    expect(gguf.config.numLayers).toBe(5);
  });
});
