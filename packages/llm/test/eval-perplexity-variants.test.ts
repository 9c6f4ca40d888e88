/**
 * perplexityOfVariants runs a shared prefix once and several layer stacks after it. Reference: the
 * plain perplexity() of the model with its layer list edited into each variant, and a naive
 * per-block NLL computed on the CPU from the model's logits.
 */
import { data, getDevice, scope, tensor } from '@llm-streamline/tensor';
import { readFixtureText } from '@llm-streamline/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packBlocks, perplexity, perplexityOfVariants } from '../src/eval/perplexity.js';
import type { LoadedModel } from '../src/load/load-model.js';
import { loadStories260K } from './model-helpers.js';

describe('perplexityOfVariants (stories260K)', () => {
  let loaded: LoadedModel;
  let blocks: number[][];

  beforeAll(async () => {
    await getDevice();
    loaded = await loadStories260K();
    const text = (await readFixtureText('text/tinystories-valid-sample.txt')).slice(0, 6000);
    if (!loaded.tokenizer) throw new Error('stories260K: no tokenizer');
    blocks = packBlocks(text, loaded.tokenizer, 32).slice(0, 5);
  });
  afterAll(() => loaded?.model.dispose());

  it('equals perplexity() of each edited model, sharing the first layers', async () => {
    const { model } = loaded;
    const layers = [...model.layers];
    const [l0, l1, l2, l3, l4] = layers as [
      (typeof layers)[0],
      (typeof layers)[0],
      (typeof layers)[0],
      (typeof layers)[0],
      (typeof layers)[0],
    ];
    // Shared prefix: layers 0–1. Variants: the original suffix, layer 3 removed, layer 2 repeated.
    const variants = [
      [l2, l3, l4],
      [l2, l4],
      [l2, l2, l3, l4],
    ];
    const together = await perplexityOfVariants(model, blocks, 2, variants, { batchSize: 2 });
    for (const [v, suffix] of variants.entries()) {
      const removed = model.layers.splice(0, model.layers.length, l0, l1, ...suffix);
      try {
        const alone = await perplexity(model, blocks, { batchSize: 3 });
        expect(together[v]?.meanNll).toBeCloseTo(alone.meanNll, 5);
        expect(together[v]?.tokensScored).toBe(alone.tokensScored);
      } finally {
        model.layers.splice(0, model.layers.length, ...removed);
      }
    }
    // The variants really differ (the comparison above is not trivially true).
    expect(Math.abs((together[0]?.meanNll ?? 0) - (together[1]?.meanNll ?? 0))).toBeGreaterThan(
      1e-3,
    );
  });

  it('perplexity() equals a naive NLL over the logits', async () => {
    const { model } = loaded;
    let nll = 0;
    let count = 0;
    for (const block of blocks) {
      const logits = (await scope(async () => {
        const out = model.forward(tensor(Int32Array.from(block), [1, block.length])).logits;
        return out && data(out);
      })) as Float32Array;
      const vocab = logits.length / block.length;
      for (let p = 0; p + 1 < block.length; p++) {
        const row = logits.subarray(p * vocab, (p + 1) * vocab);
        const max = Math.max(...row);
        let z = 0;
        for (const x of row) z += Math.exp(x - max);
        nll += max + Math.log(z) - (row[block[p + 1] as number] as number);
        count++;
      }
    }
    const result = await perplexity(model, blocks, { batchSize: 2 });
    expect(result.meanNll).toBeCloseTo(nll / count, 4);
  });

  it('rejects a shared prefix longer than the model', async () => {
    await expect(perplexityOfVariants(loaded.model, blocks, 9, [[]])).rejects.toThrow(
      /sharedLayers 9 is outside 0…5/,
    );
  });
});
