/**
 * The device-side NaN/Inf check of loaded weights (load/finite-check.ts) against a naive loop on
 * the host, in every checked dtype; and the loader's use of it: a checkpoint with one NaN fails
 * naming the tensor, and `checkFinite: false` loads it.
 */
import { f32ToBf16, f32ToF16, getDevice, Tensor } from '@llm-streamline/tensor';
import { readFixture } from '@llm-streamline/test-utils';
import { describe, expect, it } from 'vitest';
import { scoreMultipleChoice } from '../src/eval/multiple-choice.js';
import { perplexity, perplexityOfVariants } from '../src/eval/perplexity.js';
import { bytesByteSource } from '../src/io/byte-source.js';
import { parseLlama2cCheckpoint } from '../src/io/llama2c.js';
import { FiniteCheck } from '../src/load/finite-check.js';
import { loadLlama2cModel } from '../src/load/load-model.js';
import type { Tokenizer } from '../src/tokenizer/tokenizer.js';
import { STORIES } from './model-helpers.js';

type Checked = 'f32' | 'f16' | 'bf16';

/** The reference: any element that is NaN or ±Inf once read in `dtype`. */
function naiveHasNonFinite(values: Float32Array, dtype: Checked): boolean {
  const stored =
    dtype === 'f32'
      ? values
      : dtype === 'f16'
        ? Float32Array.from(f32ToF16(values), (h) => ((h & 0x7c00) === 0x7c00 ? Number.NaN : 0))
        : Float32Array.from(f32ToBf16(values), (h) => ((h & 0x7f80) === 0x7f80 ? Number.NaN : 0));
  for (const v of stored) if (!Number.isFinite(v)) return true;
  return false;
}

function upload(values: Float32Array, dtype: Checked): Tensor {
  const bytes = dtype === 'f32' ? values : dtype === 'f16' ? f32ToF16(values) : f32ToBf16(values);
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Tensor.fromBytes(view, dtype, [values.length], { dtype });
}

describe('FiniteCheck', () => {
  it('flags exactly the tensors a naive loop finds NaN or ±Inf in, per dtype', async () => {
    const device = await getDevice();
    const cases: { name: string; values: Float32Array; dtype: Checked }[] = [];
    const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const dtype of ['f32', 'f16', 'bf16'] as const) {
      for (const length of [1, 2, 7, 64, 1001]) {
        const clean = Float32Array.from({ length }, (_, i) => Math.sin(i) * 3);
        cases.push({ name: `${dtype}.${length}.clean`, values: clean, dtype });
        for (const [k, special] of specials.entries()) {
          const at = (length * (k + 1)) >> 2; // first, middle and late elements, odd and even
          const dirty = clean.slice();
          dirty[Math.min(at, length - 1)] = special;
          cases.push({ name: `${dtype}.${length}.${special}`, values: dirty, dtype });
        }
      }
      // Finite in f32 but too large for f16: it becomes Inf once stored, and is flagged.
      cases.push({ name: `${dtype}.large`, values: Float32Array.of(1, 70000), dtype });
    }
    const tensors = cases.map((c) => upload(c.values, c.dtype));
    const check = new FiniteCheck(device, cases.length);
    try {
      for (const [i, c] of cases.entries()) check.add(tensors[i] as Tensor, c.name);
      const expected = cases.filter((c) => naiveHasNonFinite(c.values, c.dtype)).map((c) => c.name);
      expect(expected.length).toBeGreaterThan(40);
      expect(await check.nonFinite()).toEqual(expected);
    } finally {
      check.dispose();
      for (const t of tensors) t.dispose();
    }
  });

  it("reads only the tensor's elements, not the padding word after an odd 16-bit count", async () => {
    const device = await getDevice();
    for (const dtype of ['f16', 'bf16'] as const) {
      const whole = upload(Float32Array.of(1, 2, 3, Number.POSITIVE_INFINITY), dtype);
      const firstThree = whole.narrow(0, 0, 3);
      const check = new FiniteCheck(device, 2);
      check.add(firstThree, 'first three');
      check.add(whole, 'all four');
      expect(await check.nonFinite()).toEqual(['all four']);
      check.dispose();
      whole.dispose();
    }
  });
});

describe('loading weights with NaN', () => {
  /** stories260K.bin with one weight of `tensor` set to NaN. */
  async function withNaN(tensor: string): Promise<Uint8Array> {
    const bytes = (await readFixture(`${STORIES}/stories260K.bin`)).slice();
    const record = (await parseLlama2cCheckpoint(bytesByteSource(bytes, 'x'))).tensors.get(tensor);
    if (!record) throw new Error(`no ${tensor}`);
    new DataView(bytes.buffer).setFloat32(record.byteOffset + 40, Number.NaN, true);
    return bytes;
  }

  it('fails naming the file and the tensor', async () => {
    const bytes = await withNaN('w2.3');
    await expect(loadLlama2cModel(bytesByteSource(bytes, 'nan.bin'))).rejects.toThrow(
      /^nan\.bin: tensor model\.layers\.3\.mlp\.down_proj\.weight holds NaN or infinite values/,
    );
  });

  it('loads it with checkFinite: false; its perplexity is then an error naming model and stage', async () => {
    const bytes = await withNaN('w2.3');
    const tok = await readFixture(`${STORIES}/tok512.bin`);
    const loaded = await loadLlama2cModel(
      bytesByteSource(bytes, 'nan.bin'),
      bytesByteSource(tok, 'tok512.bin'),
      { checkFinite: false },
    );
    try {
      const blocks = [[1, 403, 407, 261, 378, 2, 1, 9]];
      await expect(
        perplexity(loaded.model, blocks, { label: 'nan.bin, evaluation' }),
      ).rejects.toThrow(
        /^nan\.bin, evaluation: the perplexity is NaN \(mean NLL NaN\) — the model's logits are not finite$/,
      );
      await expect(
        perplexityOfVariants(loaded.model, blocks, loaded.model.layers.length, [[], []], {
          label: 'nan.bin, keep',
          variantNames: ['the original model', 'the other'],
        }),
      ).rejects.toThrow(/^nan\.bin, keep: the perplexity of the original model is NaN/);
      // Task scoring too: NaN log-likelihoods would otherwise make argmax pick the first choice.
      const item = {
        requests: [
          { context: 'Once upon a time', continuation: ' there' },
          { context: 'Once upon a time', continuation: ' a' },
        ],
        gold: 0,
        choiceLengths: [5, 1],
        line: 1,
      };
      await expect(
        scoreMultipleChoice(loaded.model, loaded.tokenizer as Tokenizer, [item], {
          blockLength: 32,
          source: 'nan-task.jsonl',
        }),
      ).rejects.toThrow(
        /^multiple-choice evaluation of nan-task\.jsonl: a choice's log-likelihood is NaN/,
      );
    } finally {
      loaded.model.dispose();
    }
  });

  it('the clean model has a finite perplexity (the check does not fire on good weights)', async () => {
    const bytes = await readFixture(`${STORIES}/stories260K.bin`);
    const loaded = await loadLlama2cModel(bytesByteSource(bytes, 'clean.bin'));
    try {
      const r = await perplexity(loaded.model, [[1, 403, 407, 261, 378, 2, 1, 9]], { label: 'x' });
      expect(Number.isFinite(r.perplexity)).toBe(true);
    } finally {
      loaded.model.dispose();
    }
  });
});
