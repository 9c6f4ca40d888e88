/**
 * linearCrossEntropy computes the loss of x·Wᵀ in chunks of rows. References: the unchunked
 * composition crossEntropy(linear(x, W), t) (value and both gradients, for chunk sizes that do
 * and do not divide N), central differences of a naive float64 loop, and the device's peak live
 * bytes, which must stay below what the whole [N, V] logits would take.
 */
import * as T from '@llm-streamline/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import * as A from '../src/index.js';
import { gradcheck } from './gradcheck.js';
import { randomArray, read, rng, testDevice } from './helpers.js';

const [N, D, V] = [7, 5, 11];

/** Class ids in [0, V), seeded; `ignored` rows get PyTorch's ignore index −100. */
function randomTargets(n: number, vocab: number, seed: number, ignored: number[] = []): number[] {
  const next = rng(seed);
  return Array.from({ length: n }, (_, i) =>
    ignored.includes(i) ? -100 : Math.floor(next() * vocab),
  );
}

/** Σ or mean over counted rows of logΣexp(x_r·Wᵀ) − x_r·W[t_r], in float64. */
function cpuLinearCrossEntropy(
  x: Float64Array,
  w: Float64Array,
  targets: readonly number[],
  inDim: number,
  vocab: number,
  reduction: 'mean' | 'sum',
): number {
  let total = 0;
  let counted = 0;
  targets.forEach((t, r) => {
    if (t === -100) return;
    const logits = Array.from({ length: vocab }, (_, v) => {
      let s = 0;
      for (let k = 0; k < inDim; k++)
        s += (x[r * inDim + k] as number) * (w[v * inDim + k] as number);
      return s;
    });
    const max = Math.max(...logits);
    const logSumExp = max + Math.log(logits.reduce((s, z) => s + Math.exp(z - max), 0));
    total += logSumExp - (logits[t] as number);
    counted++;
  });
  return reduction === 'sum' ? total : total / counted;
}

/** Loss, dx and dW of `loss(x, W)` for fresh leaves holding the given values. */
async function lossAndGrads(
  loss: (x: A.Variable, w: A.Variable) => A.Variable,
  xs: Float32Array,
  ws: Float32Array,
): Promise<{ value: number; dx: number[]; dw: number[] }> {
  const x = A.variable(T.keep(T.tensor(xs, [N, D])), true);
  const w = A.variable(T.keep(T.tensor(ws, [V, D])), true);
  const value = await T.scope(async () => {
    const out = loss(x, w);
    out.backward();
    return T.item(out.value);
  });
  const result = { value, dx: await read(x.grad as T.Tensor), dw: await read(w.grad as T.Tensor) };
  x.dispose();
  w.dispose();
  return result;
}

describe('linearCrossEntropy', () => {
  beforeAll(testDevice);

  const xs = randomArray(N * D, 11, -1, 1);
  const ws = randomArray(V * D, 12, -1, 1);
  const targets = randomTargets(N, V, 13, [4]); // row 4 ignored: the mean counts 6 rows

  for (const reduction of ['mean', 'sum'] as const) {
    for (const chunkRows of [1, 3, N, N + 5]) {
      it(`equals crossEntropy(linear(x, W)) and its gradients: ${reduction}, chunkRows ${chunkRows}`, async () => {
        const t = T.keep(T.tensor(Int32Array.from(targets), [N]));
        const chunked = await lossAndGrads(
          (x, w) => A.linearCrossEntropy(x, w, t, { reduction, chunkRows }),
          xs,
          ws,
        );
        const whole = await lossAndGrads(
          (x, w) => A.crossEntropy(A.linear(x, w), t, { reduction }),
          xs,
          ws,
        );
        t.dispose();
        expect(chunked.value).toBeCloseTo(whole.value, 5);
        expect(chunked.dx).toBeAllclose(whole.dx, { atol: 1e-6, rtol: 1e-5 });
        expect(chunked.dw).toBeAllclose(whole.dw, { atol: 1e-6, rtol: 1e-5 });
        // The comparison is not vacuous: every row that counts has a gradient.
        expect(chunked.dx.slice(0, D).some((g) => Math.abs(g) > 1e-3)).toBe(true);
      });
    }
  }

  for (const reduction of ['mean', 'sum'] as const) {
    it(`gradients match central differences of a float64 loop: ${reduction}, chunkRows 3`, () => {
      const t = T.tensor(Int32Array.from(targets), [N]);
      return gradcheck(
        ([x, w]) =>
          A.linearCrossEntropy(x as A.Variable, w as A.Variable, t, { reduction, chunkRows: 3 }),
        ([x, w]) =>
          cpuLinearCrossEntropy(x as Float64Array, w as Float64Array, targets, D, V, reduction),
        [
          { shape: [N, D], data: xs },
          { shape: [V, D], data: ws },
        ],
        { label: reduction },
      ).finally(() => t.dispose());
    });
  }

  it('only x requires grad: dx as when both do, and no dW', async () => {
    const t = T.tensor(Int32Array.from(targets), [N]);
    const x = A.variable(T.keep(T.tensor(xs, [N, D])), true);
    const w = A.variable(T.keep(T.tensor(ws, [V, D])));
    T.scope(() => A.linearCrossEntropy(x, w, t, { chunkRows: 2 }).backward());
    const both = await lossAndGrads((xv, wv) => A.linearCrossEntropy(xv, wv, t), xs, ws);
    expect(await read(x.grad as T.Tensor)).toBeAllclose(both.dx, { atol: 1e-6, rtol: 1e-5 });
    expect(w.grad).toBeUndefined();
    for (const v of [x, w]) v.dispose();
    t.dispose();
  });

  it('the default chunk is the most rows whose f32 logits fit 64 MiB', () => {
    const rows = A.defaultChunkRows(32000);
    expect(rows * 32000 * 4).toBeLessThanOrEqual(64 * 2 ** 20);
    expect((rows + 1) * 32000 * 4).toBeGreaterThan(64 * 2 ** 20);
    expect(A.defaultChunkRows(2 ** 25)).toBe(1); // one row over budget still makes progress
  });

  it('forward and backward peak below the whole logits (live bytes back to the start)', async () => {
    const [rows, inDim, vocab, chunkRows] = [512, 8, 1024, 16];
    const device = await T.getDevice();
    await device.sync();
    const start = device.memoryStats().bytesLive;
    const x = A.variable(T.keep(T.tensor(randomArray(rows * inDim, 21), [rows, inDim])), true);
    const w = A.variable(T.keep(T.tensor(randomArray(vocab * inDim, 22), [vocab, inDim])), true);
    const t = T.keep(T.tensor(Int32Array.from(randomTargets(rows, vocab, 23)), [rows]));
    await device.sync();
    const before = device.memoryStats().bytesLive;
    device.pool.resetPeak();
    const loss = await T.scope(async () => {
      const out = A.linearCrossEntropy(x, w, t, { chunkRows });
      out.backward();
      return T.item(out.value);
    });
    const peak = device.memoryStats().peakBytesLive - before;
    const wholeLogits = rows * vocab * 4; // 2 MiB; one chunk's logits are 64 KiB
    // Gradients (x's 16 KiB, W's 32 KiB) and a few chunks of temporaries, never [N, V].
    expect(peak).toBeLessThan(wholeLogits / 4);
    expect(Number.isFinite(loss)).toBe(true);
    for (const v of [x, w]) v.dispose();
    t.dispose();
    await device.sync();
    expect(device.memoryStats().bytesLive).toBe(start);
  });

  it('rejects mismatched shapes, a bad chunk size and float targets, naming them', () => {
    const x = A.variable(T.tensor(xs, [N, D]));
    const w = A.variable(T.tensor(ws, [V, D]));
    const t = T.tensor(Int32Array.from(targets), [N]);
    expect(() => A.linearCrossEntropy(x, A.variable(T.zeros([V, D + 1])), t)).toThrow(
      /x \[7, 5\], weight \[11, 6\] and targets \[7\]/,
    );
    expect(() => A.linearCrossEntropy(x, w, T.tensor(Int32Array.from([1, 2]), [2]))).toThrow(
      /targets \[2\]/,
    );
    expect(() => A.linearCrossEntropy(x, w, T.zeros([N]))).toThrow(
      /targets must be i32 or u32, got f32/,
    );
    expect(() => A.linearCrossEntropy(x, w, t, { chunkRows: 0 })).toThrow(
      /chunkRows must be a positive integer, got 0/,
    );
  });
});
