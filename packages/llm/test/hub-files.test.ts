/**
 * Which files of a Hugging Face Hub repository a model needs (hub/hub-files.ts): the weights plan
 * by what the repository holds, and the shards of a safetensors index, checked to be plain names.
 */
import { describe, expect, it } from 'vitest';
import { indexShards, planWeights } from '../src/hub/hub-files.js';

describe('planWeights', () => {
  it('prefers a safetensors index, then model.safetensors, then any top-level .safetensors', () => {
    const extra = ['README.md', 'pytorch_model.bin', 'onnx/model.safetensors', 'config.json'];
    expect(
      planWeights([...extra, 'model.safetensors.index.json', 'model-00001-of-00002.safetensors']),
    ).toEqual({ kind: 'safetensors-index', files: ['model.safetensors.index.json'] });
    expect(planWeights([...extra, 'model.safetensors', 'consolidated.safetensors'])).toEqual({
      kind: 'safetensors',
      files: ['model.safetensors'],
    });
    expect(planWeights([...extra, 'b.safetensors', 'a.safetensors'])).toEqual({
      kind: 'safetensors',
      files: ['a.safetensors', 'b.safetensors'],
    });
  });

  it('takes a lone .gguf when there are no safetensors, and refuses to guess among several', () => {
    expect(planWeights(['README.md', 'model-Q8_0.gguf'])).toEqual({
      kind: 'gguf',
      file: 'model-Q8_0.gguf',
    });
    expect(planWeights(['m-Q4_K_M.gguf', 'm-Q8_0.gguf'])).toEqual({
      kind: 'none',
      reason: 'holds 2 .gguf files (m-Q4_K_M.gguf, m-Q8_0.gguf) and no safetensors',
    });
    expect(planWeights(['config.json', 'pytorch_model.bin', 'sub/model.safetensors'])).toEqual({
      kind: 'none',
      reason: 'holds no .safetensors or .gguf weights',
    });
  });
});

describe('indexShards', () => {
  it('lists each shard once, sorted', () => {
    const index = {
      metadata: { total_size: 1 },
      weight_map: {
        a: 'model-00002-of-00002.safetensors',
        b: 'model-00001-of-00002.safetensors',
        c: 'model-00002-of-00002.safetensors',
      },
    };
    expect(indexShards(JSON.stringify(index), 'index')).toEqual([
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
    ]);
  });

  it('rejects a shard outside the folder, a missing weight_map and bad JSON, naming what is wrong', () => {
    expect(() => indexShards('{"weight_map":{"w":"../x.safetensors"}}', 'r/index.json')).toThrow(
      'r/index.json: weight_map["w"] is "../x.safetensors", expected a .safetensors name',
    );
    expect(() => indexShards('{}', 'r/index.json')).toThrow('r/index.json: no "weight_map" object');
    expect(() => indexShards('{', 'r/index.json')).toThrow(/^r\/index.json: not JSON/);
  });
});
