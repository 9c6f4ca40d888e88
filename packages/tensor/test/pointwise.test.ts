import { beforeAll, describe, expect, it } from 'vitest';
import * as T from '../src/index.js';
import {
  abs,
  acos,
  add,
  div,
  eq,
  exp,
  ge,
  gelu,
  gt,
  le,
  log,
  lt,
  maximum,
  minimum,
  mul,
  ne,
  neg,
  pow,
  relu,
  reshape,
  rsqrt,
  scope,
  sigmoid,
  silu,
  sqrt,
  sub,
  type Tensor,
  tanh,
  tensor,
  where,
} from '../src/index.js';
import { indices, type Nd, ndOf, randomArray, testDevice } from './helpers.js';

beforeAll(async () => {
  await testDevice();
});

/** A CPU n-d array: shape plus row-major values. */
function broadcastShape(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) =>
    Math.max(...shapes.map((s) => (s[i - (rank - s.length)] ?? 1) as number)),
  );
}

/** Value of `x` at an index of the broadcast shape (size-1 and missing leading dims repeat). */
function broadcastAt(x: Nd, idx: readonly number[]): number {
  const lead = idx.length - x.shape.length;
  let flat = 0;
  for (let i = 0; i < x.shape.length; i++)
    flat =
      flat * (x.shape[i] as number) +
      ((x.shape[i] as number) === 1 ? 0 : (idx[i + lead] as number));
  return x.data[flat] as number;
}

/** Naive elementwise op with NumPy broadcasting. */
function reference(
  inputs: readonly Nd[],
  f: (...v: number[]) => number,
): { shape: number[]; data: number[] } {
  const shape = broadcastShape(inputs.map((x) => x.shape));
  return {
    shape,
    data: [...indices(shape)].map((idx) => f(...inputs.map((x) => broadcastAt(x, idx)))),
  };
}

const nd = (data: ArrayLike<number>, shape: readonly number[]): Nd => ({
  data: Array.from(data),
  shape,
});

/** erf by its Taylor series: exact to ~1e-12 for |x| ≤ 3, where gelu's inputs stay. */
function erf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 80; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

const sigmoidRef = (x: number) => 1 / (1 + Math.exp(-x));

/** [name, op, reference, low, high, atol]: WGSL only promises ~4096 ULP for acos (SwiftShader: ~6e-5 rad). */
const UNARY_CASES: [
  string,
  (t: Tensor) => Tensor,
  (x: number) => number,
  number,
  number,
  number?,
][] = [
  ['neg', neg, (x) => -x, -3, 3],
  ['abs', abs, Math.abs, -3, 3],
  ['exp', exp, Math.exp, -5, 5],
  ['log', log, Math.log, 0.01, 10],
  ['sqrt', sqrt, Math.sqrt, 0, 10],
  ['rsqrt', rsqrt, (x) => 1 / Math.sqrt(x), 0.01, 10],
  ['tanh', tanh, Math.tanh, -5, 5],
  ['sigmoid', sigmoid, sigmoidRef, -8, 8],
  ['silu', silu, (x) => x * sigmoidRef(x), -8, 8],
  ['gelu', gelu, (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)), -4, 4],
  ['relu', relu, (x) => Math.max(x, 0), -3, 3],
  ['acos', acos, Math.acos, -0.99, 0.99, 2e-4],
];

describe('unary ops', () => {
  it.each(UNARY_CASES)(
    '%s matches the reference on a strided view',
    async (_name, op, f, lo, hi, atol = 2e-6) => {
      await scope(async () => {
        const data = randomArray(5 * 7, 1, lo, hi);
        const x = tensor(data, [5, 7]).transpose().narrow(0, 1, 5);
        const y = op(x);
        const ref = reference([ndOf(data, x)], f);
        expect(y.shape).toEqual(ref.shape);
        expect(y.dtype).toBe('f32');
        expect(await T.data(y)).toBeAllclose(ref.data, { atol, rtol: 4e-6 });
      });
    },
  );

  it('keep extreme inputs finite where the function is', async () => {
    await scope(async () => {
      const x = tensor([-1000, -50, 50, 1000]);
      expect(await T.data(tanh(x))).toBeAllclose([-1, -1, 1, 1]);
      expect(await T.data(sigmoid(x))).toBeAllclose([0, 1.9287498479639178e-22, 1, 1], {
        atol: 1e-30,
        rtol: 1e-5,
      });
      expect(await T.data(silu(x))).toBeAllclose([-0, -9.643749239819589e-21, 50, 1000], {
        atol: 1e-20,
        rtol: 1e-6,
      });
      expect(await T.data(gelu(tensor([-10, 10])))).toBeAllclose([0, 10], { atol: 1e-6 });
    });
  });

  it('neg, abs and relu stay in integer dtypes; float-only ops return f32', async () => {
    await scope(async () => {
      const ints = tensor(new Int32Array([-3, 0, 5, -7]));
      for (const [op, f] of [
        [neg, (x: number) => 0 - x],
        [abs, Math.abs],
        [relu, (x: number) => Math.max(x, 0)],
      ] as const) {
        const y = op(ints);
        expect(y.dtype).toBe('i32');
        expect([...(await T.data(y))]).toEqual([-3, 0, 5, -7].map(f));
      }
      const e = exp(ints);
      expect(e.dtype).toBe('f32');
      expect(await T.data(e)).toBeAllclose([-3, 0, 5, -7].map(Math.exp), { rtol: 2e-6 });
      const u = abs(tensor(new Uint32Array([1, 4000000000])));
      expect(u.dtype).toBe('u32');
      expect([...(await T.data(u))]).toEqual([1, 4000000000]);
    });
  });
});

const BINARY_CASES: [
  string,
  (a: Tensor | number, b: Tensor | number) => Tensor,
  (a: number, b: number) => number,
][] = [
  ['add', add, (a, b) => a + b],
  ['sub', sub, (a, b) => a - b],
  ['mul', mul, (a, b) => a * b],
  ['div', div, (a, b) => a / b],
  ['maximum', maximum, Math.max],
  ['minimum', minimum, Math.min],
  ['pow', pow, (a, b) => Math.abs(a) ** b],
  ['eq', eq, (a, b) => Number(a === b)],
  ['ne', ne, (a, b) => Number(a !== b)],
  ['lt', lt, (a, b) => Number(a < b)],
  ['le', le, (a, b) => Number(a <= b)],
  ['gt', gt, (a, b) => Number(a > b)],
  ['ge', ge, (a, b) => Number(a >= b)],
];

/** Rounds to a few values so comparisons see ties. */
const coarse = (data: Float32Array) => data.map((x) => Math.round(x * 2) / 2);

describe('binary ops', () => {
  it.each(BINARY_CASES)('%s broadcasts size-1 and missing dims', async (name, op, f) => {
    await scope(async () => {
      const a = coarse(randomArray(3 * 1 * 5, 2, -2, 2)).map((x) =>
        name === 'pow' ? Math.abs(x) + 0.5 : x,
      );
      const b = coarse(randomArray(4 * 1, 3, -2, 2)).map((x) =>
        name === 'div' && x === 0 ? 0.5 : x,
      );
      const y = op(tensor(a, [3, 1, 5]), tensor(b, [4, 1]));
      const ref = reference([nd(a, [3, 1, 5]), nd(b, [4, 1])], f);
      expect(y.shape).toEqual([3, 4, 5]);
      expect(await T.data(y)).toBeAllclose(ref.data, { atol: 1e-6, rtol: 2e-6 });
    });
  });

  it.each(BINARY_CASES)(
    '%s reads transposed, narrowed and expanded views and numbers',
    async (name, op, f) => {
      await scope(async () => {
        const base = coarse(randomArray(6 * 4, 4, 0.5, 3));
        const other = coarse(randomArray(6, 5, 0.5, 3));
        const x = tensor(base, [6, 4]);
        const a = x.transpose().narrow(1, 1, 4); // [4, 4], strides [1, 4]
        const b = reshape(tensor(other, [6]).narrow(0, 2, 4), [4, 1]).expand([4, 4]);
        const ref = reference([ndOf(base, a), ndOf(other, b)], f);
        expect(await T.data(op(a, b))).toBeAllclose(ref.data, { atol: 1e-6, rtol: 2e-6 });
        // A number operand broadcasts like a 0-d tensor, on either side.
        const refNum = reference([ndOf(base, a)], (v) => f(v, 1.5));
        expect(await T.data(op(a, 1.5))).toBeAllclose(refNum.data, { atol: 1e-6, rtol: 2e-6 });
        const refLeft = reference([ndOf(base, a)], (v) => f(1.5, v));
        if (name !== 'pow')
          expect(await T.data(op(1.5, a))).toBeAllclose(refLeft.data, { atol: 1e-6, rtol: 2e-6 });
      });
    },
  );

  it('integer arithmetic and comparisons stay in the integer dtype', async () => {
    await scope(async () => {
      const a = new Int32Array([7, -7, 3, 0, -12, 5]);
      const b = new Int32Array([2, 2, -3, 5, 5, 5]);
      const ta = tensor(a, [2, 3]);
      const tb = tensor(b, [2, 3]);
      const cases: [(x: Tensor, y: Tensor) => Tensor, (x: number, y: number) => number][] = [
        [add, (x, y) => x + y],
        [sub, (x, y) => x - y],
        [mul, (x, y) => x * y],
        [div, (x, y) => Math.trunc(x / y)],
        [maximum, Math.max],
        [minimum, Math.min],
        [lt, (x, y) => Number(x < y)],
        [eq, (x, y) => Number(x === y)],
      ];
      for (const [op, f] of cases) {
        const y = op(ta, tb);
        expect(y.dtype).toBe('i32');
        expect([...(await T.data(y))]).toEqual([...a].map((x, i) => f(x, b[i] as number)));
      }
      // Integer numbers keep the integer dtype; fractional ones promote to f32.
      expect((await T.data(add(ta, 1))) instanceof Int32Array).toBe(true);
      const half = add(ta, 0.5);
      expect(half.dtype).toBe('f32');
      expect([...(await T.data(half))]).toEqual([...a].map((x) => x + 0.5));
      const u = add(tensor(new Uint32Array([1, 2])), tensor(new Uint32Array([4000000000, 3])));
      expect(u.dtype).toBe('u32');
      expect([...(await T.data(u))]).toEqual([4000000001, 5]);
      expect(() => add(ta, tensor(new Uint32Array([1, 2, 3])))).toThrow(
        /cannot mix integer dtypes i32 and u32/,
      );
    });
  });

  it('pow handles negative bases, integer and fractional exponents', async () => {
    await scope(async () => {
      const y = await T.data(pow(tensor([-2, -2, -2, 0, 4, -8]), tensor([2, 3, 0.5, 0, -0.5, 0])));
      expect(y).toBeAllclose([4, -8, Number.NaN, 1, 0.5, 1], { equalNan: true });
    });
  });

  it('names both shapes when they do not broadcast', async () => {
    await scope(async () => {
      expect(() =>
        add(tensor(randomArray(6, 1), [2, 3]), tensor(randomArray(8, 1), [2, 4])),
      ).toThrow(/add: shapes \[2, 3\] and \[2, 4\] do not broadcast \(axis 1: 3 vs 4\)/);
    });
  });
});

describe('where', () => {
  it('selects with broadcasting from f32 and i32 conditions', async () => {
    await scope(async () => {
      const cond = [1, 0, 0, 1];
      const a = randomArray(3 * 4, 6);
      const b = randomArray(3 * 1, 7);
      const ref = reference([nd(cond, [4]), nd(a, [3, 4]), nd(b, [3, 1])], (c, x, y) =>
        c !== 0 ? x : y,
      );
      const y = where(tensor(cond, [4]), tensor(a, [3, 4]), tensor(b, [3, 1]));
      expect(y.shape).toEqual([3, 4]);
      expect([...(await T.data(y))]).toEqual(ref.data.map(Math.fround));
      const intCond = tensor(new Int32Array([0, 5, -1, 0]), [4]);
      const z = where(intCond, tensor(a, [3, 4]).narrow(0, 0, 1), -1);
      expect([...(await T.data(z))]).toEqual([
        -1,
        Math.fround(a[1] as number),
        Math.fround(a[2] as number),
        -1,
      ]);
      // A transposed condition.
      const c2 = tensor([1, 0, 0, 1, 1, 0], [3, 2]).transpose();
      const w = where(c2, 1, 0);
      expect([...(await T.data(w))]).toEqual([1, 0, 1, 0, 1, 0]);
    });
  });
});

describe('the four-elements-per-invocation path', () => {
  beforeAll(testDevice);

  it('dense operands, broadcast scalars and aligned or misaligned offsets all match the reference', async () => {
    await scope(async () => {
      const data = randomArray(64, 7);
      const other = randomArray(64, 8);
      const x = tensor(data, [64]);
      const y = tensor(other, [64]);
      const cases: [Tensor, number[]][] = [
        // dense + dense (vec4 path)
        [add(x, y), [...data].map((v, i) => v + (other[i] as number))],
        // dense + broadcast scalar (vec4 path, scalar operand)
        [mul(x, 3), [...data].map((v) => v * 3)],
        // offset 4: aligned view (vec4 path)
        [
          sub(x.narrow(0, 4, 56), y.narrow(0, 8, 56)),
          [...data.slice(4, 60)].map((v, i) => v - (other[i + 8] as number)),
        ],
        // offset 1: misaligned view (scalar path)
        [
          sub(x.narrow(0, 1, 60), y.narrow(0, 0, 60)),
          [...data.slice(1, 61)].map((v, i) => v - (other[i] as number)),
        ],
      ];
      for (const [got, want] of cases)
        expect(await T.data(got)).toBeAllclose(want, { atol: 1e-6, rtol: 1e-6 });
    });
  });
});
