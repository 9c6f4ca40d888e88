/**
 * `convert` end to end: stories260K as llama2.c .bin and as .gguf become Hugging Face folders that
 * reload (with the SentencePiece tokenizer copied from beside the input) and give the original
 * model's logits.
 */
import { copyFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LlamaForCausalLM } from '@llm-streamline/llm';
import { loadModelFromPath } from '@llm-streamline/llm/node';
import { data, getDevice, scope, type Tensor, tensor } from '@llm-streamline/tensor';
import { maxAbsDiff } from '@llm-streamline/test-utils';
import { fixturePath } from '@llm-streamline/test-utils/paths';
import { describe, expect, it } from 'vitest';
import { jsonResult, runCli, STORIES_BIN, tempDir } from './helpers.js';

const IDS = [1, 403, 407, 261, 378, 30, 100, 7];

async function logits(model: LlamaForCausalLM): Promise<Float32Array> {
  return scope(
    async () =>
      (await data(
        model.forward(tensor(Int32Array.from(IDS), [1, IDS.length])).logits as Tensor,
      )) as Float32Array,
  );
}

async function convertAndCompare(input: string, extra: string[] = []): Promise<string[]> {
  const out = join(await tempDir(), 'hf');
  const run = await runCli(['convert', input, out, ...extra, '--json']);
  expect(run.code, run.stderr).toBe(0);
  const r = jsonResult<{ files: { name: string }[]; tokenizer: string[] }>(run);
  await getDevice();
  const original = await loadModelFromPath(input);
  const converted = await loadModelFromPath(out);
  expect(converted.format).toBe('huggingface');
  expect(converted.model.layers.length).toBe(original.model.layers.length);
  expect(maxAbsDiff(await logits(converted.model), await logits(original.model))).toBeLessThan(
    1e-4,
  );
  expect(converted.tokenizer?.encode('Once upon a time', { bos: true })).toEqual(IDS.slice(0, 5));
  original.model.dispose();
  converted.model.dispose();
  expect(r.tokenizer).toEqual(['tokenizer.model']);
  return (await readdir(out)).sort();
}

describe('convert', () => {
  it('llama2.c .bin → Hugging Face folder with the same logits', async () => {
    expect(await convertAndCompare(STORIES_BIN)).toEqual([
      'config.json',
      'model.safetensors',
      'tokenizer.model',
    ]);
  });

  it('.gguf → Hugging Face folder with the same logits (--tokenizer given)', async () => {
    // A copy in a folder of its own, so nothing beside it is picked up implicitly.
    const dir = await tempDir();
    const gguf = join(dir, 'stories260K.gguf');
    await copyFile(fixturePath('stories260K/stories260K.gguf'), gguf);
    const files = await convertAndCompare(gguf, [
      '--tokenizer',
      fixturePath('stories260K/tok512.model'),
    ]);
    expect(files).toEqual(['config.json', 'model.safetensors', 'tokenizer.model']);
  });
});
