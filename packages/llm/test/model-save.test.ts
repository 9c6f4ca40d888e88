/**
 * saveHfModel round trips: F32 is lossless (same logits, same tensor bytes, and for
 * tinystories-12L the same bytes as the original model.safetensors); F16 and BF16 reload within
 * the rounding of the dtype; a sharded save (small maxShardBytes) reloads through its index.
 */
import { data, getDevice } from '@llm-streamline/tensor';
import { maxAbsDiff, readFixture } from '@llm-streamline/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHfConfig } from '../src/config/llama-config.js';
import { bytesByteSource } from '../src/io/byte-source.js';
import { memoryModelDirectory } from '../src/io/model-directory.js';
import { parseSafetensors } from '../src/io/safetensors.js';
import { readTensorBytes } from '../src/io/tensor-read.js';
import { type LoadedModel, loadHfModel } from '../src/load/load-model.js';
import type { LlamaForCausalLM } from '../src/model/llama-model.js';
import { MemorySink } from '../src/save/output-sink.js';
import { checkpointTensors, type SaveOptions, saveHfModel } from '../src/save/save-model.js';
import { loadStories260K, loadTinystories, logitsOf, STORIES, TINY } from './model-helpers.js';

const PROMPT = 'Once upon a time, there was a little girl named Lily.';

let original: LoadedModel;
let tokenizerModel: Uint8Array;
let ids: number[];
let logits: Float32Array;
const reloaded: LoadedModel[] = [];

beforeAll(async () => {
  await getDevice();
  original = await loadStories260K();
  tokenizerModel = await readFixture(`${STORIES}/tok512.model`);
  ids = original.tokenizer?.encode(PROMPT, { bos: true }) as number[];
  logits = await logitsOf(original.model, ids);
});

afterAll(() => {
  for (const m of [original, ...reloaded]) m?.model.dispose();
});

/** Saves into memory; returns the files and the model loaded back from them. */
async function roundTrip(
  model: LlamaForCausalLM,
  options: SaveOptions = {},
): Promise<{ files: Map<string, Uint8Array>; back: LoadedModel }> {
  const sink = new MemorySink();
  await saveHfModel(model, sink, {
    ...options,
    extraFiles: new Map([['tokenizer.model', tokenizerModel]]),
  });
  const back = await loadHfModel(memoryModelDirectory(Object.fromEntries(sink.files), 'saved'));
  reloaded.push(back);
  return { files: sink.files, back };
}

/** Every checkpoint tensor's float32 values, by HF name. */
async function weights(model: LlamaForCausalLM): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const [name, t] of checkpointTensors(model)) out.set(name, (await data(t)) as Float32Array);
  return out;
}

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('saveHfModel round trip', () => {
  it('F32: identical logits, identical tensor bytes, same config', async () => {
    const { files, back } = await roundTrip(original.model);
    expect([...files.keys()].sort()).toEqual([
      'config.json',
      'model.safetensors',
      'tokenizer.model',
    ]);
    expect(files.get('tokenizer.model')).toEqual(tokenizerModel);
    const config = JSON.parse(new TextDecoder().decode(files.get('config.json')));
    expect(config.torch_dtype).toBe('float32');
    expect(parseHfConfig(config, 'config.json')).toEqual(original.config);
    expect(back.config).toEqual(original.config);

    const before = await weights(original.model);
    const after = await weights(back.model);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [name, values] of before) {
      expect(bits(after.get(name) as Float32Array), name).toEqual(bits(values));
    }
    expect(bits(await logitsOf(back.model, ids))).toEqual(bits(logits));
  });

  it('F32: tinystories-12L saves back to the bytes of its original tensors', async () => {
    const model = await loadTinystories();
    reloaded.push(model);
    const sink = new MemorySink();
    await saveHfModel(model.model, sink);
    const source = await parseSafetensors(
      bytesByteSource(await readFixture(`${TINY}/model.safetensors`), 'model.safetensors'),
    );
    const saved = await parseSafetensors(
      bytesByteSource(sink.files.get('model.safetensors') as Uint8Array, 'saved'),
    );
    expect([...saved.tensors.keys()].sort()).toEqual([...source.tensors.keys()].sort());
    for (const [name, record] of source.tensors) {
      const copy = saved.tensors.get(name);
      expect(copy?.shape, name).toEqual(record.shape);
      expect(copy?.dtype, name).toBe('F32');
      const equal = maxAbsDiff(
        await readTensorBytes(copy as typeof record),
        await readTensorBytes(record),
      );
      expect(equal, name).toBe(0);
    }
  });

  for (const [dtype, torchDtype, significandBits, logitTol] of [
    ['F16', 'float16', 11, 0.05],
    ['BF16', 'bfloat16', 8, 0.3],
  ] as const) {
    it(`${dtype}: weights within the dtype's rounding, logits close`, async () => {
      const { files, back } = await roundTrip(original.model, { dtype });
      const config = JSON.parse(new TextDecoder().decode(files.get('config.json')));
      expect(config.torch_dtype).toBe(torchDtype);
      const file = await parseSafetensors(
        bytesByteSource(files.get('model.safetensors') as Uint8Array, 'model.safetensors'),
      );
      for (const record of file.tensors.values()) expect(record.dtype, record.name).toBe(dtype);
      expect(files.get('model.safetensors')?.byteLength).toBeLessThan(600_000);

      const before = await weights(original.model);
      const after = await weights(back.model);
      // Round to nearest: within half a unit in the last place, |x|·2^-p (f16 subnormals: 2^-25).
      const rel = 2 ** -significandBits;
      for (const [name, values] of before) {
        const got = after.get(name) as Float32Array;
        for (let i = 0; i < values.length; i++) {
          const x = values[i] as number;
          const err = Math.abs((got[i] as number) - x);
          if (!(err <= Math.abs(x) * rel + 2 ** -25)) {
            expect.fail(`${name}[${i}]: ${x} reloaded as ${got[i]} (beyond ${dtype} rounding)`);
          }
        }
        if (dtype === 'BF16')
          expect(
            bits(got).every((b) => (b & 0xffff) === 0),
            name,
          ).toBe(true);
      }
      const lossy = await logitsOf(back.model, ids);
      const diff = maxAbsDiff(lossy, logits);
      expect(diff).toBeGreaterThan(0);
      expect(lossy, dtype).toBeAllclose(logits, { atol: logitTol, rtol: 0 });
    });
  }

  it('sharded (maxShardBytes 300 kB): index and shards reload to identical logits', async () => {
    const { files, back } = await roundTrip(original.model, { maxShardBytes: 300_000 });
    const shards = [...files.keys()].filter((f) => f.endsWith('.safetensors')).sort();
    expect(shards.length).toBeGreaterThanOrEqual(4);
    expect(shards[0]).toBe(`model-00001-of-${String(shards.length).padStart(5, '0')}.safetensors`);
    expect(files.has('model.safetensors')).toBe(false);
    for (const shard of shards)
      expect(files.get(shard)?.byteLength).toBeLessThanOrEqual(300_000 + 4096);
    const index = JSON.parse(new TextDecoder().decode(files.get('model.safetensors.index.json')));
    expect(new Set(Object.values(index.weight_map))).toEqual(new Set(shards));
    expect(Object.keys(index.weight_map)).toHaveLength(checkpointTensors(original.model).size);
    expect(bits(await logitsOf(back.model, ids))).toEqual(bits(logits));
  });
});
