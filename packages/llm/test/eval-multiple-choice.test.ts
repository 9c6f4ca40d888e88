/**
 * scoreMultipleChoice against a naive computation on stories260K: per choice, the tokens of
 * context + choice beyond the context's (whitespace moved as the harness does), the window cut to
 * the block length from the left, one unbatched forward pass, a float64 log-softmax per position
 * summed over the continuation; acc and acc_norm recomputed from those sums.
 */
import { getDevice } from '@llm-streamline/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MultipleChoiceItem } from '../src/eval/choice-item.js';
import { encodeRequest } from '../src/eval/encode-request.js';
import { scoreMultipleChoice, scoreMultipleChoiceOfVariants } from '../src/eval/multiple-choice.js';
import type { LoadedModel } from '../src/load/load-model.js';
import type { Tokenizer } from '../src/tokenizer/tokenizer.js';
import { loadStories260K, logitsOf } from './model-helpers.js';

let loaded: LoadedModel;
let tokenizer: Tokenizer;

beforeAll(async () => {
  await getDevice();
  loaded = await loadStories260K();
  tokenizer = loaded.tokenizer as Tokenizer;
});
afterAll(() => loaded?.model.dispose());

const LONG =
  'Once upon a time, there was a little girl named Lily. She loved to play outside in the park with her friends. One day, she saw a big red ball under a tree.';

function item(context: string, choices: string[], gold: number, line: number): MultipleChoiceItem {
  return {
    requests: choices.map((c) => ({ context, continuation: ` ${c}` })),
    gold,
    choiceLengths: choices.map((c) => [...c].length),
    line,
  };
}

const ITEMS: MultipleChoiceItem[] = [
  item('Once upon a time, there was a', ['little girl.', 'dog.', 'big, big, big house.'], 0, 1),
  item(LONG, ['She ran to get it.', 'The sky was purple cheese.', 'He said no.', 'Bob.'], 0, 2),
  item('Tom had a toy car. ', ['He loved it very much.', 'It was red.'], 1, 3),
  item('', ['The end.', 'Once upon a time'], 1, 4),
  item('Lily and Ben went to the', ['park to play.', 'moon and back again and again.'], 0, 5),
];

/** The harness's recipe written out directly: tokens, window, log-softmax, sum. */
async function naiveLogLikelihood(context: string, continuation: string, blockLength: number) {
  let ctxIds: number[];
  let contIds: number[];
  if (context === '') {
    ctxIds = [tokenizer.bosId];
    contIds = tokenizer.encode(continuation, { bos: false });
  } else {
    const moved = context.length - context.trimEnd().length;
    const ctx = context.slice(0, context.length - moved);
    const cont = context.slice(context.length - moved) + continuation;
    ctxIds = tokenizer.encode(ctx);
    contIds = tokenizer.encode(ctx + cont).slice(ctxIds.length);
  }
  const all = [...ctxIds, ...contIds];
  const window = all.slice(-(blockLength + 1));
  const input = window.slice(0, -1);
  const logits = await logitsOf(loaded.model, input);
  const vocab = logits.length / input.length;
  let sum = 0;
  for (let k = 0; k < contIds.length; k++) {
    const p = input.length - contIds.length + k; // the position that predicts this token
    const row = Array.from(logits.subarray(p * vocab, (p + 1) * vocab), Number);
    const max = Math.max(...row);
    const logZ = max + Math.log(row.reduce((z, x) => z + Math.exp(x - max), 0));
    sum += (row[window[p + 1] as number] as number) - logZ;
  }
  return { sum, truncated: window.length < all.length, tokens: contIds.length };
}

/** One unbatched forward per choice for the reference: slow on a loaded software adapter. */
const SLOW_TIMEOUT_MS = 600_000;

const argmaxOf = (xs: number[]) => xs.indexOf(Math.max(...xs));

describe('scoreMultipleChoice (stories260K)', () => {
  for (const blockLength of [128, 40])
    it(
      `matches the naive log-likelihood sums, acc and acc_norm (block length ${blockLength})`,
      async () => {
        const result = await scoreMultipleChoice(loaded.model, tokenizer, ITEMS, {
          blockLength,
          batchTokens: 100,
        });
        let acc = 0;
        let accNorm = 0;
        let truncated = 0;
        for (const [i, it] of ITEMS.entries()) {
          const naive: Awaited<ReturnType<typeof naiveLogLikelihood>>[] = [];
          for (const r of it.requests)
            naive.push(await naiveLogLikelihood(r.context, r.continuation, blockLength));
          const sums = naive.map((n) => n.sum);
          const got = result.scores[i]?.logLikelihoods ?? [];
          expect(got).toHaveLength(sums.length);
          sums.forEach((s, c) => {
            expect(Math.abs((got[c] as number) - s), `item ${i} choice ${c}`).toBeLessThan(
              2e-4 * (naive[c]?.tokens ?? 0),
            );
          });
          const pred = argmaxOf(sums);
          const predNorm = argmaxOf(sums.map((s, c) => s / (it.choiceLengths[c] as number)));
          expect(result.scores[i]?.prediction).toBe(pred);
          expect(result.scores[i]?.predictionNorm).toBe(predNorm);
          if (pred === it.gold) acc++;
          if (predNorm === it.gold) accNorm++;
          if (naive.some((n) => n.truncated)) truncated++;
        }
        expect(result.acc).toBe(acc / ITEMS.length);
        expect(result.accNorm).toBe(accNorm / ITEMS.length);
        expect(result.truncated).toBe(truncated);
        expect(result.items).toBe(ITEMS.length);
        // The long story does not fit 40 positions; everything fits 128.
        if (blockLength === 40) expect(truncated).toBeGreaterThan(0);
        else expect(truncated).toBe(0);
      },
      SLOW_TIMEOUT_MS,
    );

  it('scores several layer lists after a shared prefix as each edited model alone', async () => {
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
    const options = { blockLength: 128, batchTokens: 160 };
    const together = await scoreMultipleChoiceOfVariants(
      model,
      tokenizer,
      ITEMS,
      2,
      variants,
      options,
    );
    for (const [v, suffix] of variants.entries()) {
      const removed = model.layers.splice(0, model.layers.length, l0, l1, ...suffix);
      try {
        const alone = await scoreMultipleChoice(model, tokenizer, ITEMS, options);
        expect(together[v]?.acc).toBe(alone.acc);
        expect(together[v]?.accNorm).toBe(alone.accNorm);
        together[v]?.scores.forEach((s, i) => {
          alone.scores[i]?.logLikelihoods.forEach((ll, c) => {
            expect(s.logLikelihoods[c]).toBeCloseTo(ll, 4);
          });
        });
      } finally {
        model.layers.splice(0, model.layers.length, ...removed);
      }
    }
    // The variants really differ, so the comparison above is not trivially true.
    const first = (v: number) => together[v]?.scores[1]?.logLikelihoods[0] ?? 0;
    expect(Math.abs(first(0) - first(1))).toBeGreaterThan(1e-3);
  });

  it('acc and acc_norm can disagree, and the scores say which choice each picked', async () => {
    const result = await scoreMultipleChoice(loaded.model, tokenizer, ITEMS, { blockLength: 128 });
    // Length normalisation changes some pick here (a short choice wins on the raw sum).
    expect(result.scores.some((s) => s.prediction !== s.predictionNorm)).toBe(true);
  });

  it('the harness moves trailing whitespace of the context onto the continuation', () => {
    const encoded = encodeRequest(tokenizer, {
      context: 'Tom had a toy car. ',
      continuation: ' It',
    });
    const whole = tokenizer.encode('Tom had a toy car.  It');
    expect(encoded.context).toEqual(tokenizer.encode('Tom had a toy car.'));
    expect([...encoded.context, ...encoded.continuation]).toEqual(whole);
  });

  it('names the line of a continuation longer than the block', async () => {
    await expect(
      scoreMultipleChoice(loaded.model, tokenizer, ITEMS, { blockLength: 3, source: 'mine.jsonl' }),
    ).rejects.toThrow(
      /^mine\.jsonl:1: choice 0: the continuation has 5 tokens, more than the block length 3$/,
    );
  });
});
