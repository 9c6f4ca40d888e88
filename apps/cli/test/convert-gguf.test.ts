/**
 * `convert --to gguf` end to end: stories260K (.bin with tok512.model beside it), stories260K's
 * llama.cpp .gguf (its own tokenizer metadata carried over) and a model pruned by `prune` with an
 * ffn replacement become GGUF files that reload with the source's logits (F32: within 1e-5) and
 * tokenizer; an existing OUT is kept without --force; a model with no tokenizer is refused.
 */
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type LlamaForCausalLM, parseGguf } from '@llm-streamline/llm';
import { loadModelFromPath, openFileByteSource } from '@llm-streamline/llm/node';
import { data, getDevice, scope, type Tensor, tensor } from '@llm-streamline/tensor';
import { maxAbsDiff } from '@llm-streamline/test-utils';
import { fixturePath } from '@llm-streamline/test-utils/paths';
import { describe, expect, it } from 'vitest';
import { schemaErrors } from '../../../packages/streamline/test/schema-check.js';
import { HELDOUT, jsonResult, runCli, STORIES_BIN, TINY, tempDir } from './helpers.js';

const IDS = [1, 403, 407, 261, 378, 30, 100, 7];

async function logits(model: LlamaForCausalLM): Promise<Float32Array> {
  return scope(
    async () =>
      (await data(
        model.forward(tensor(Int32Array.from(IDS), [1, IDS.length])).logits as Tensor,
      )) as Float32Array,
  );
}

/** Converts `input` to GGUF; returns the max |logit difference| of the reloaded file. */
async function convertAndCompare(input: string, extra: string[] = []): Promise<number> {
  const out = join(await tempDir(), 'model.gguf');
  const run = await runCli(['convert', input, out, '--to', 'gguf', ...extra, '--json']);
  expect(run.code, run.stderr).toBe(0);
  const r = jsonResult<{ to: string; outFile: string; bytes: number }>(run);
  expect(r.to).toBe('gguf');
  expect(r.outFile).toBe(out);
  expect((await readFile(out)).subarray(0, 4).toString()).toBe('GGUF');
  const source = await openFileByteSource(out);
  const kv = (await parseGguf(source)).kv;
  await source.close?.();
  expect(kv.get('general.name')).toBe('model');
  expect(kv.get('general.file_type')).toBe(extra.includes('f16') ? 1 : 0);
  await getDevice();
  const original = await loadModelFromPath(input);
  const converted = await loadModelFromPath(out);
  expect(converted.format).toBe('gguf');
  expect(converted.model.layers.length).toBe(original.model.layers.length);
  const diff = maxAbsDiff(await logits(converted.model), await logits(original.model));
  expect(converted.tokenizer?.encode('Once upon a time', { bos: true })).toEqual(IDS.slice(0, 5));
  original.model.dispose();
  converted.model.dispose();
  // Nothing but the output is left beside it (the temporary file was renamed).
  expect(await readdir(join(out, '..'))).toEqual(['model.gguf']);
  return diff;
}

describe('convert --to gguf', () => {
  it('llama2.c .bin → GGUF with the same logits (F32)', async () => {
    const diff = await convertAndCompare(STORIES_BIN);
    console.log(`stories260K .bin → GGUF F32: logits max |diff| ${diff}`);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it(".gguf → GGUF keeps the input's tokenizer metadata (F16: logits close)", async () => {
    const dir = await tempDir();
    const gguf = join(dir, 'stories260K.gguf');
    await copyFile(fixturePath('stories260K/stories260K.gguf'), gguf);
    const diff = await convertAndCompare(gguf, ['--dtype', 'f16']);
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(0.05);
  });

  it('a model pruned with an ffn replacement converts with the same logits', async () => {
    const pruned = join(await tempDir(), 'pruned');
    const prune = await runCli([
      'prune',
      STORIES_BIN,
      '--out',
      pruned,
      ...TINY,
      '--replacement',
      'ffn',
      '--data',
      HELDOUT,
      '--no-eval',
    ]);
    expect(prune.code, prune.stderr).toBe(0);
    expect(
      schemaErrors(JSON.parse(await readFile(join(pruned, 'streamline.json'), 'utf8'))),
    ).toEqual([]);
    const diff = await convertAndCompare(pruned);
    console.log(`pruned (ffn replacement) → GGUF F32: logits max |diff| ${diff}`);
    expect(diff).toBeLessThanOrEqual(1e-5);
  });

  it('keeps an existing OUT without --force; --force replaces a GGUF file, never another file', async () => {
    const out = join(await tempDir(), 'taken.gguf');
    await writeFile(out, 'mine');
    const refused = await runCli(['convert', STORIES_BIN, out, '--to', 'gguf']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already exists.*--force/);
    expect(await readFile(out, 'utf8')).toBe('mine');
    // Not a GGUF: --force refuses it too, and leaves it as it was.
    const notOurs = await runCli(['convert', STORIES_BIN, out, '--to', 'gguf', '--force']);
    expect(notOurs.code).toBe(1);
    expect(notOurs.stderr).toMatch(/--force replaces only a GGUF file, nothing was changed/);
    expect(await readFile(out, 'utf8')).toBe('mine');
    // An earlier GGUF output is replaced.
    await writeFile(out, 'GGUF and an old model');
    const forced = await runCli(['convert', STORIES_BIN, out, '--to', 'gguf', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    const written = await readFile(out);
    expect(written.subarray(0, 4).toString()).toBe('GGUF');
    expect(written.length).toBeGreaterThan(1000);
  });

  it('refuses a model with no tokenizer, saying how to give one', async () => {
    const dir = await tempDir();
    const bin = join(dir, 'stories260K.bin');
    await copyFile(STORIES_BIN, bin);
    const run = await runCli(['convert', bin, join(dir, 'out.gguf'), '--to', 'gguf']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no tokenizer\.model or tokenizer\.json found.*--tokenizer PATH/);
    expect(await readdir(dir)).toEqual(['stories260K.bin']);
  });
});
