import { beforeAll, describe, expect, it } from 'vitest';
import * as T from '../src/index.js';
import {
  argmax,
  argmin,
  max,
  mean,
  min,
  reducedCount,
  reshape,
  scope,
  sum,
  type Tensor,
  tensor,
  variance,
} from '../src/index.js';
import { indices, type Nd, ndOf, randomArray, testDevice } from './helpers.js';

beforeAll(async () => {
  await testDevice();
});

/**
 * Naive reduction: groups the elements of `x` by their index on the kept axes (in row-major order
 * of the kept dims) and folds each group, in order, with `fold`.
 */
function reference(x: Nd, axes: readonly number[], fold: (values: number[]) => number): number[] {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const keptShape = kept.map((i) => x.shape[i] as number);
  const groups = new Map<number, number[]>();
  let flat = 0;
  for (const idx of indices(x.shape)) {
    let key = 0;
    for (const i of kept) key = key * (x.shape[i] as number) + (idx[i] as number);
    const group = groups.get(key) ?? [];
    group.push(x.data[flat++] as number);
    groups.set(key, group);
  }
  const n = keptShape.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, k) => fold(groups.get(k) ?? []));
}

const sumOf = (v: number[]) => v.reduce((a, b) => a + b, 0);
const argOf = (better: (a: number, b: number) => boolean) => (v: number[]) =>
  v.reduce((best, x, i) => (better(x, v[best] as number) ? i : best), 0);
const variancePop = (v: number[], correction: number) => {
  const m = sumOf(v) / v.length;
  return sumOf(v.map((x) => (x - m) ** 2)) / Math.max(v.length - correction, 0);
};

const AXES: (number | number[] | undefined)[] = [0, 1, 2, -1, [0, 2], [1, 2], [0, 1, 2], undefined];

function normalize(axes: number | number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  return (typeof axes === 'number' ? [axes] : axes).map((a) => (a < 0 ? a + rank : a)).sort();
}

describe('sum / mean / max / min', () => {
  it.each(AXES.map((a) => [JSON.stringify(a) ?? 'all', a] as const))(
    'reduce axes %s of a strided [3, 4, 5] view',
    async (_label, axes) => {
      await scope(async () => {
        const data = randomArray(5 * 4 * 3, 1, -3, 3);
        const x = tensor(data, [5, 4, 3]).permute([2, 1, 0]);
        const cpu = ndOf(data, x);
        const list = normalize(axes, 3);
        const keptShape = x.shape.filter((_, i) => !list.includes(i));
        const keepdimShape = x.shape.map((d, i) => (list.includes(i) ? 1 : d));
        const cases: [
          (t: Tensor, a?: number | number[], o?: { keepdim?: boolean }) => Tensor,
          (v: number[]) => number,
        ][] = [
          [sum, sumOf],
          [mean, (v) => sumOf(v) / v.length],
          [max, (v) => Math.max(...v)],
          [min, (v) => Math.min(...v)],
        ];
        for (const [op, fold] of cases) {
          const ref = reference(cpu, list, fold);
          const y = op(x, axes);
          expect(y.shape).toEqual(keptShape);
          expect(await T.data(y)).toBeAllclose(ref, { atol: 1e-5, rtol: 1e-5 });
          const k = op(x, axes, { keepdim: true });
          expect(k.shape).toEqual(keepdimShape);
          expect(await T.data(k)).toBeAllclose(ref, { atol: 1e-5, rtol: 1e-5 });
        }
        expect(reducedCount(x, axes)).toBe(list.reduce((n, i) => n * (x.shape[i] as number), 1));
      });
    },
  );

  it('reduces narrowed and expanded views and size-1 dims', async () => {
    await scope(async () => {
      const data = randomArray(6 * 7, 2);
      const narrowed = tensor(data, [6, 7]).narrow(1, 2, 4).narrow(0, 1, 3);
      expect(await T.data(sum(narrowed, 1))).toBeAllclose(
        reference(ndOf(data, narrowed), [1], sumOf),
        { atol: 1e-6 },
      );
      const expanded = tensor(data.subarray(0, 7), [1, 7]).expand([5, 7]);
      expect(await T.data(sum(expanded, 0))).toBeAllclose(
        reference(ndOf(data, expanded), [0], sumOf),
        { atol: 1e-5 },
      );
      const ones = tensor(data.subarray(0, 7), [1, 7, 1]);
      expect(await T.data(max(ones, [0, 2]))).toBeAllclose(data.subarray(0, 7));
      expect(await T.data(sum(tensor([], [0, 3]), 0))).toEqual(new Float32Array([0, 0, 0]));
      expect(() => max(tensor([], [0, 3]), 0)).toThrow(/cannot reduce an empty axis/);
    });
  });

  it('keeps integer dtypes exact', async () => {
    await scope(async () => {
      const a = new Int32Array([5, -2, 7, 100000, -3, 8]);
      const x = tensor(a, [2, 3]);
      const s = sum(x, 1);
      expect(s.dtype).toBe('i32');
      expect([...(await T.data(s))]).toEqual([10, 100005]);
      expect([...(await T.data(max(x, 0)))]).toEqual([100000, -2, 8]);
      expect([...(await T.data(min(tensor(new Uint32Array([4000000000, 3, 9])))))]).toEqual([3]);
    });
  });
});

describe('argmax / argmin', () => {
  it('returns the first index on ties, along any axis, with keepdim', async () => {
    await scope(async () => {
      const data = Float32Array.from(randomArray(4 * 6, 3), (x) => Math.round(x * 2));
      const x = tensor(data, [4, 6]);
      for (const axis of [0, 1, -1]) {
        const a = axis < 0 ? axis + 2 : axis;
        const cpu = ndOf(data, x);
        const am = argmax(x, axis);
        expect(am.dtype).toBe('i32');
        expect([...(await T.data(am))]).toEqual(
          reference(
            cpu,
            [a],
            argOf((u, v) => u > v),
          ),
        );
        expect([...(await T.data(argmin(x, axis)))]).toEqual(
          reference(
            cpu,
            [a],
            argOf((u, v) => u < v),
          ),
        );
        expect(argmax(x, axis, { keepdim: true }).shape).toEqual(a === 0 ? [1, 6] : [4, 1]);
      }
      expect([...(await T.data(argmax(tensor([1, 3, 3, 2, 3]))))]).toEqual([1]);
      expect([
        ...(await T.data(argmin(reshape(tensor([2, 0, 1, 0]), [1, 4]).transpose(), 0))),
      ]).toEqual([1]);
    });
  });
});

describe('long rows (workgroup-parallel path: R ≥ 4096, fewer than 2048 outputs)', () => {
  it('sum, max, min, argmax and argmin of 3 rows of 5000', async () => {
    await scope(async () => {
      const [rows, r] = [3, 5000];
      const data = randomArray(rows * r, 4, -1, 1);
      // Ties far apart, so different lanes hold them: the first index must still win.
      data[100] = 2;
      data[4000] = 2;
      data[r + 4097] = -2;
      data[r + 3] = -2;
      const x = tensor(data, [rows, r]);
      const cpu = ndOf(data, x);
      expect(await T.data(sum(x, 1))).toBeAllclose(reference(cpu, [1], sumOf), {
        atol: 1e-4,
        rtol: 1e-5,
      });
      expect(await T.data(max(x, 1))).toBeAllclose(reference(cpu, [1], (v) => Math.max(...v)));
      expect(await T.data(min(x, 1))).toBeAllclose(reference(cpu, [1], (v) => Math.min(...v)));
      expect([...(await T.data(argmax(x, 1)))]).toEqual(
        reference(
          cpu,
          [1],
          argOf((u, v) => u > v),
        ),
      );
      expect([...(await T.data(argmin(x, 1)))]).toEqual(
        reference(
          cpu,
          [1],
          argOf((u, v) => u < v),
        ),
      );
      // The whole tensor, and a transposed view reduced over its strided axis.
      expect(await T.data(sum(x))).toBeAllclose([sumOf(cpu.data as number[])], {
        atol: 1e-3,
        rtol: 1e-5,
      });
      const t = x.transpose();
      expect([...(await T.data(argmax(t, 0)))]).toEqual(
        reference(
          cpu,
          [1],
          argOf((u, v) => u > v),
        ),
      );
    });
  });
});

describe('variance', () => {
  it('unbiased by default, population with correction 0, over any axes', async () => {
    await scope(async () => {
      const data = randomArray(3 * 4 * 5, 5, 10, 12);
      const x = tensor(data, [3, 4, 5]);
      const cpu = ndOf(data, x);
      for (const axes of [1, [0, 2], undefined] as const) {
        const list = normalize(axes as number | number[] | undefined, 3);
        expect(await T.data(variance(x, axes))).toBeAllclose(
          reference(cpu, list, (v) => variancePop(v, 1)),
          { atol: 1e-5, rtol: 1e-4 },
        );
        expect(await T.data(variance(x, axes, { correction: 0 }))).toBeAllclose(
          reference(cpu, list, (v) => variancePop(v, 0)),
          { atol: 1e-5, rtol: 1e-4 },
        );
      }
      expect(variance(x, 2, { keepdim: true }).shape).toEqual([3, 4, 1]);
      // Two passes keep a large mean from cancelling the variance.
      const shifted = tensor([1e4 + 1, 1e4 + 2, 1e4 + 3, 1e4 + 4]);
      expect(await T.data(variance(shifted))).toBeAllclose([5 / 3], { rtol: 1e-4 });
    });
  });
});
