import * as T from '@llm-streamline/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import * as A from '../src/index.js';
import { gradcheck } from './gradcheck.js';
import { cpuBroadcast, erf, testDevice } from './helpers.js';

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Unary ops with their float64 forward and the input range where they are smooth. */
const UNARY: [string, (x: A.Variable) => A.Variable, (x: number) => number, number, number][] = [
  ['neg', A.neg, (x) => -x, -1, 1],
  ['abs', A.abs, Math.abs, -1, 1],
  ['exp', A.exp, Math.exp, -1, 1],
  ['log', A.log, Math.log, 0.5, 2],
  ['sqrt', A.sqrt, Math.sqrt, 0.5, 2],
  ['rsqrt', A.rsqrt, (x) => 1 / Math.sqrt(x), 0.5, 2],
  ['tanh', A.tanh, Math.tanh, -2, 2],
  ['sigmoid', A.sigmoid, sigmoid, -3, 3],
  ['silu', A.silu, (x) => x * sigmoid(x), -3, 3],
  ['gelu', A.gelu, (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), -3, 3],
  ['relu', A.relu, (x) => Math.max(x, 0), -1, 1],
  ['acos', A.acos, Math.acos, -0.8, 0.8],
];

describe('pointwise gradients', () => {
  beforeAll(testDevice);

  for (const [name, op, f, lo, hi] of UNARY) {
    it(`${name}`, async () => {
      await gradcheck(
        ([x]) => op(x as A.Variable),
        ([x]) => (x as Float64Array).map(f),
        [{ shape: [3, 4], lo, hi }],
        { label: name },
      );
    });
  }

  it('add, sub, mul, div with broadcasting ([2, 3] with [3], [2, 1] with [1, 3])', async () => {
    const shapes = [[2, 3], [3]];
    await gradcheck(
      ([a, b]) => A.add(a as A.Variable, b as A.Variable),
      ([a, b]) => cpuBroadcast([a, b] as Float64Array[], shapes, (x, y) => x + y),
      shapes.map((shape) => ({ shape })),
    );
    await gradcheck(
      ([a, b]) => A.sub(a as A.Variable, b as A.Variable),
      ([a, b]) => cpuBroadcast([a, b] as Float64Array[], shapes, (x, y) => x - y),
      shapes.map((shape) => ({ shape })),
    );
    const outer = [
      [2, 1],
      [1, 3],
    ];
    await gradcheck(
      ([a, b]) => A.mul(a as A.Variable, b as A.Variable),
      ([a, b]) => cpuBroadcast([a, b] as Float64Array[], outer, (x, y) => x * y),
      outer.map((shape) => ({ shape })),
    );
    await gradcheck(
      ([a, b]) => A.div(a as A.Variable, b as A.Variable),
      ([a, b]) => cpuBroadcast([a, b] as Float64Array[], outer, (x, y) => x / y),
      [{ shape: [2, 1] }, { shape: [1, 3], lo: 0.5, hi: 2 }],
    );
  });

  it('numbers as operands (constants get no gradient)', async () => {
    await gradcheck(
      ([a]) => A.mul(A.sub(3, a as A.Variable), 2.5),
      ([a]) => (a as Float64Array).map((x) => (3 - x) * 2.5),
      [{ shape: [5] }],
    );
    await gradcheck(
      ([a]) => A.div(1, a as A.Variable),
      ([a]) => (a as Float64Array).map((x) => 1 / x),
      [{ shape: [4], lo: 0.5, hi: 2 }],
    );
  });

  it('pow: by a number, and by a tensor (d/db needs a > 0)', async () => {
    await gradcheck(
      ([a]) => A.pow(a as A.Variable, 3),
      ([a]) => (a as Float64Array).map((x) => x ** 3),
      [{ shape: [2, 3] }],
    );
    const shapes = [[2, 3], [3]];
    await gradcheck(
      ([a, b]) => A.pow(a as A.Variable, b as A.Variable),
      ([a, b]) => cpuBroadcast([a, b] as Float64Array[], shapes, (x, y) => x ** y),
      [{ shape: [2, 3], lo: 0.5, hi: 2 }, { shape: [3] }],
    );
  });

  it('maximum and minimum send the gradient to the chosen input', async () => {
    const shapes = [[3, 4], [4]];
    await gradcheck(
      ([a, b]) => A.maximum(a as A.Variable, b as A.Variable),
      ([a, b]) => cpuBroadcast([a, b] as Float64Array[], shapes, Math.max),
      shapes.map((shape) => ({ shape })),
    );
    await gradcheck(
      ([a, b]) => A.minimum(a as A.Variable, b as A.Variable),
      ([a, b]) => cpuBroadcast([a, b] as Float64Array[], shapes, Math.min),
      shapes.map((shape) => ({ shape })),
    );
  });

  it('where: no gradient to the condition; broadcast branches', async () => {
    const shapes = [[2, 3], [2, 3], [3]];
    await gradcheck(
      ([c, a, b]) => A.where(c as A.Variable, a as A.Variable, b as A.Variable),
      ([c, a, b]) =>
        cpuBroadcast([c, a, b] as Float64Array[], shapes, (x, y, z) => (x !== 0 ? y : z)),
      [
        { shape: [2, 3], data: [1, 0, 0, 1, 1, 0], requiresGrad: false },
        { shape: [2, 3] },
        { shape: [3] },
      ],
    );
  });

  it('comparisons return constants: nothing downstream requires grad', () => {
    const a = A.variable(T.tensor([1, 2, 3]), true);
    T.scope(() => {
      for (const op of [A.eq, A.ne, A.lt, A.le, A.gt, A.ge])
        expect(op(a, 2).requiresGrad).toBe(false);
    });
    a.dispose();
  });
});
