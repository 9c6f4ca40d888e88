import * as T from '@llm-streamline/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import * as A from '../src/index.js';
import { randomArray, read, testDevice } from './helpers.js';

const N = 6;
const STEPS = 5;
const initial = randomArray(N, 1);
/** A different gradient each step (float32, as the GPU sees it). */
const gradAt = (step: number) => randomArray(N, 100 + step, -2, 2);

/** Runs `STEPS` optimiser steps on the GPU with the given gradients and learning rates; returns the parameter after each step. */
async function runGpu(
  make: (params: A.Variable[]) => A.Optimizer,
  lrAt: (step: number) => number,
): Promise<number[][]> {
  const p = A.variable(T.tensor(initial), true);
  const opt = make([p]);
  const history: number[][] = [];
  for (let s = 0; s < STEPS; s++) {
    p.grad = T.keep(T.tensor(gradAt(s)));
    opt.lr = lrAt(s);
    opt.step();
    opt.zeroGrad();
    history.push(await read(p.value));
  }
  opt.dispose();
  p.dispose();
  return history;
}

/** PyTorch's AdamW, naively in float64. */
function adamwReference(
  lrAt: (s: number) => number,
  [b1, b2]: [number, number],
  eps: number,
  wd: number,
): number[][] {
  const p = Array.from(initial);
  const m = new Array<number>(N).fill(0);
  const v = new Array<number>(N).fill(0);
  const history: number[][] = [];
  for (let s = 0; s < STEPS; s++) {
    const t = s + 1;
    const lr = lrAt(s);
    const g = gradAt(s);
    for (let i = 0; i < N; i++) {
      const gi = g[i] as number;
      p[i] = (p[i] as number) * (1 - lr * wd);
      m[i] = b1 * (m[i] as number) + (1 - b1) * gi;
      v[i] = b2 * (v[i] as number) + (1 - b2) * gi * gi;
      const mHat = (m[i] as number) / (1 - b1 ** t);
      const vHat = (v[i] as number) / (1 - b2 ** t);
      p[i] = (p[i] as number) - (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
    history.push([...p]);
  }
  return history;
}

/** PyTorch's SGD, naively in float64. */
function sgdReference(
  lr: number,
  momentum: number,
  dampening: number,
  wd: number,
  nesterov: boolean,
): number[][] {
  const p = Array.from(initial);
  let buf: number[] | undefined;
  const history: number[][] = [];
  for (let s = 0; s < STEPS; s++) {
    const d = Array.from(gradAt(s), (g, i) => g + wd * (p[i] as number));
    let step = d;
    if (momentum !== 0) {
      const prev = buf;
      buf = prev ? prev.map((b, i) => momentum * b + (1 - dampening) * (d[i] as number)) : [...d];
      const b = buf;
      step = nesterov ? d.map((x, i) => x + momentum * (b[i] as number)) : b;
    }
    for (let i = 0; i < N; i++) p[i] = (p[i] as number) - lr * (step[i] as number);
    history.push([...p]);
  }
  return history;
}

function expectHistories(gpu: number[][], ref: number[][]) {
  gpu.forEach((row, s) => {
    expect(row, `step ${s + 1}`).toBeAllclose(ref[s] as number[], { atol: 1e-6, rtol: 1e-5 });
  });
}

describe('optimisers match naive references', () => {
  beforeAll(testDevice);

  it('AdamW (weight decay, bias correction, a changing learning rate)', async () => {
    const lrAt = (s: number) => 0.05 * (1 + s) ** -0.5;
    const gpu = await runGpu(
      (ps) => new A.AdamW(ps, { lr: 0.05, betas: [0.9, 0.99], eps: 1e-8, weightDecay: 0.1 }),
      lrAt,
    );
    expectHistories(gpu, adamwReference(lrAt, [0.9, 0.99], 1e-8, 0.1));
  });

  it('AdamW with PyTorch defaults', async () => {
    const gpu = await runGpu(
      (ps) => new A.AdamW(ps),
      () => 1e-3,
    );
    expectHistories(
      gpu,
      adamwReference(() => 1e-3, [0.9, 0.999], 1e-8, 1e-2),
    );
  });

  it('SGD: plain, momentum with dampening and weight decay, Nesterov', async () => {
    expectHistories(
      await runGpu(
        (ps) => new A.SGD(ps, { lr: 0.1 }),
        () => 0.1,
      ),
      sgdReference(0.1, 0, 0, 0, false),
    );
    expectHistories(
      await runGpu(
        (ps) => new A.SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01 }),
        () => 0.1,
      ),
      sgdReference(0.1, 0.9, 0.1, 0.01, false),
    );
    expectHistories(
      await runGpu(
        (ps) => new A.SGD(ps, { lr: 0.05, momentum: 0.8, nesterov: true }),
        () => 0.05,
      ),
      sgdReference(0.05, 0.8, 0, 0, true),
    );
  });

  it('parameters without a gradient or frozen are left alone', async () => {
    const a = A.variable(T.tensor([1, 2]), true);
    const b = A.variable(T.tensor([3, 4]), true);
    const opt = new A.SGD([a, b], { lr: 1 });
    a.grad = T.keep(T.tensor([1, 1]));
    b.requiresGrad = false;
    b.grad = T.keep(T.tensor([1, 1]));
    opt.step();
    expect(await read(a.value)).toEqual([0, 1]);
    expect(await read(b.value)).toEqual([3, 4]);
    expect(() => new A.SGD([A.exp(a)], { lr: 1 })).toThrow(/not a leaf/);
    for (const v of [a, b]) v.dispose();
    opt.dispose();
  });
});

describe('gradient clipping, schedules, accumulation', () => {
  beforeAll(testDevice);

  it('clipGradNorm scales by the global norm and returns it without forcing a read', async () => {
    const a = A.variable(T.tensor([0, 0]), true);
    const b = A.variable(T.tensor([0]), true);
    a.grad = T.keep(T.tensor([3, 4]));
    b.grad = T.keep(T.tensor([12]));
    const norm = A.clipGradNorm([a, b], 6.5);
    expect(await T.item(norm)).toBeCloseTo(13, 5);
    expect(await read(a.grad)).toBeAllclose([1.5, 2], { rtol: 1e-5 });
    expect(await read(b.grad)).toBeAllclose([6], { rtol: 1e-5 });
    norm.dispose();
    // Below the limit nothing changes.
    A.clipGradNorm([a, b], 100).dispose();
    expect(await read(b.grad)).toBeAllclose([6], { rtol: 1e-6 });
    for (const v of [a, b]) v.dispose();
  });

  it('warmupCosine: linear warm-up, cosine to the floor, flat after', () => {
    const lr = A.warmupCosine({ peakLr: 1, warmupSteps: 4, totalSteps: 14, minLr: 0.1 });
    expect([0, 1, 2, 3].map(lr)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(lr(4)).toBeCloseTo(1, 12);
    expect(lr(9)).toBeCloseTo(0.55, 12); // halfway: (1 + 0.1) / 2
    expect(lr(14)).toBe(0.1);
    expect(lr(1000)).toBe(0.1);
    expect(A.constantLr(0.3)(123)).toBe(0.3);
  });

  it('backwardMicroBatch over 2 halves gives the full batch mean-loss gradient', async () => {
    const xs = randomArray(8, 4);
    const w = A.variable(T.tensor([0.5, -1]), true);
    const lossOf = (rows: Float32Array, n: number) =>
      A.mean(A.mul(A.matmul(A.variable(T.tensor(rows, [n, 2])), A.reshape(w, [2, 1])), 2));
    T.scope(() => lossOf(xs, 4).backward());
    const full = await read(w.grad as T.Tensor);
    w.zeroGrad();
    for (const half of [xs.slice(0, 4), xs.slice(4)])
      T.scope(() => A.backwardMicroBatch(lossOf(half, 2), 2));
    expect(await read(w.grad as T.Tensor)).toBeAllclose(full, { atol: 1e-6 });
    A.scaleGrads([w], 2);
    expect(await read(w.grad as T.Tensor)).toBeAllclose(
      full.map((g) => 2 * g),
      { atol: 1e-6 },
    );
    w.dispose();
  });
});
