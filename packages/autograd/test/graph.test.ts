import * as T from '@llm-streamline/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import * as A from '../src/index.js';
import { read, testDevice } from './helpers.js';

describe('the tape: graph structure, accumulation, modes', () => {
  beforeAll(testDevice);

  it('a diamond graph (x reaches the loss by four paths) gets exactly the summed gradient', async () => {
    const xs = [-1.5, -0.2, 0.3, 1.1];
    const x = A.variable(T.tensor(xs), true);
    T.scope(() => {
      // loss = Σ (2x)·exp(x) + x + tanh(x)·x + x·x
      const a = A.mul(x, 2);
      const b = A.exp(x);
      const loss = A.sum(A.add(A.add(A.add(A.mul(a, b), x), A.mul(A.tanh(x), x)), A.mul(x, x)));
      loss.backward();
    });
    const expected = xs.map(
      (v) =>
        2 * Math.exp(v) +
        2 * v * Math.exp(v) +
        1 +
        (1 - Math.tanh(v) ** 2) * v +
        Math.tanh(v) +
        2 * v,
    );
    expect(await read(x.grad as T.Tensor)).toBeAllclose(expected, { atol: 1e-5, rtol: 1e-5 });
    x.dispose();
  });

  it('backward adds into .grad across calls until zeroGrad', async () => {
    const x = A.variable(T.tensor([1, 2, 3]), true);
    for (let i = 0; i < 2; i++) T.scope(() => A.sum(A.mul(x, x)).backward());
    expect(await read(x.grad as T.Tensor)).toEqual([4, 8, 12]);
    x.zeroGrad();
    expect(x.grad).toBeUndefined();
    x.dispose();
  });

  it('a non-scalar output needs a seed; the seed weights the gradient', async () => {
    const x = A.variable(T.tensor([1, 2]), true);
    await T.scope(async () => {
      const y = A.mul(x, 3);
      expect(() => y.backward()).toThrow(/not a scalar/);
      y.backward(T.tensor([1, -2]));
      expect(await read(x.grad as T.Tensor)).toEqual([3, -6]);
    });
    x.dispose();
  });

  it('a node cannot be back-propagated twice (its saved tensors are gone)', () => {
    const x = A.variable(T.tensor([1, 2]), true);
    T.scope(() => {
      const loss = A.sum(A.exp(x));
      loss.backward();
      expect(() => loss.backward()).toThrow(/a second time/);
    });
    x.dispose();
  });

  it('noGrad records nothing; detach cuts the graph; constants need no grad', async () => {
    const x = A.variable(T.tensor([1, 2]), true);
    T.scope(() => {
      expect(A.noGrad(() => A.mul(x, x)).requiresGrad).toBe(false);
      expect(A.mul(x, x).requiresGrad).toBe(true);
      expect(A.mul(A.variable(T.tensor([1, 2])), 2).requiresGrad).toBe(false);
      // d/dx [x · detach(x)] = detach(x): the detached factor is a constant.
      A.sum(A.mul(x, x.detach())).backward();
    });
    expect(await read(x.grad as T.Tensor)).toEqual([1, 2]);
    x.dispose();
  });

  it('backward frees every intermediate: live memory returns to the parameters alone', async () => {
    const device = await testDevice();
    const w = A.variable(T.keep(T.randNormal([8, 8], 0, 1, { seed: 1 })), true);
    await device.sync();
    const before = device.memoryStats().bytesLive;
    T.scope(() => A.mean(A.softmax(A.matmul(w, w))).backward());
    w.zeroGrad();
    await device.sync();
    expect(device.memoryStats().bytesLive).toBe(before);
    w.dispose();
  });
});
