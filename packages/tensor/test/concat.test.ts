import { beforeAll, describe, expect, it } from 'vitest';
import * as T from '../src/index.js';
import { cat, scope, split, stack, type Tensor, tensor } from '../src/index.js';
import { atIndex, indices, type Nd, ndOf, randomArray, testDevice } from './helpers.js';

beforeAll(async () => {
  await testDevice();
});

/** A small CPU n-d array: shape plus row-major values. */
/** Naive concatenation along `axis`. */
function catReference(parts: readonly Nd[], axis: number): Nd {
  const shape = [...(parts[0] as Nd).shape];
  shape[axis] = parts.reduce((n, p) => n + (p.shape[axis] as number), 0);
  const data: number[] = [];
  for (const idx of indices(shape)) {
    let i = idx[axis] as number;
    const part = parts.find((p) => {
      if (i < (p.shape[axis] as number)) return true;
      i -= p.shape[axis] as number;
      return false;
    }) as Nd;
    const local = [...idx];
    local[axis] = i;
    data.push(atIndex(part.data, contiguous(part.shape), 0, local));
  }
  return { shape, data };
}

function contiguous(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let n = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = n;
    n *= shape[i] as number;
  }
  return s;
}

describe('cat', () => {
  it('concatenates along every axis, negative axes included', async () => {
    await scope(async () => {
      const a = randomArray(2 * 3 * 4, 1);
      const for0 = randomArray(1 * 3 * 4, 2);
      const for1 = randomArray(2 * 5 * 4, 3);
      const for2 = randomArray(2 * 3 * 1, 4);
      const ta = tensor(a, [2, 3, 4]);
      const cases: [Tensor, number][] = [
        [tensor(for0, [1, 3, 4]), 0],
        [tensor(for1, [2, 5, 4]), 1],
        [tensor(for2, [2, 3, 1]), -1],
      ];
      for (const [b, axis] of cases) {
        const ax = axis < 0 ? axis + 3 : axis;
        const ref = catReference(
          [ndOf(a, ta), ndOf(axis === 0 ? for0 : axis === 1 ? for1 : for2, b)],
          ax,
        );
        const y = cat([ta, b], axis);
        expect(y.shape).toEqual(ref.shape);
        expect([...(await T.data(y))]).toEqual(ref.data.map(Math.fround));
      }
    });
  });

  it('copies views through their strides, skips empty inputs, keeps int dtypes', async () => {
    await scope(async () => {
      const base = randomArray(4 * 6, 5);
      const x = tensor(base, [4, 6]);
      const parts = [
        x.transpose().narrow(1, 1, 3),
        x.transpose().narrow(1, 0, 3).narrow(0, 0, 0),
        x.narrow(0, 0, 1).expand([3, 6]).transpose().narrow(0, 2, 2),
      ];
      const y = cat(parts, 0);
      const ref = catReference(
        parts.map((p) => ndOf(base, p)),
        0,
      );
      expect(y.shape).toEqual([6 + 0 + 2, 3]);
      expect([...(await T.data(y))]).toEqual(ref.data.map(Math.fround));
      const ints = cat([
        tensor(new Int32Array([1, 2]), [1, 2]),
        tensor(new Int32Array([3, 4, 5, 6]), [2, 2]),
      ]);
      expect(ints.dtype).toBe('i32');
      expect(await T.data(ints)).toEqual(new Int32Array([1, 2, 3, 4, 5, 6]));
      expect(await T.data(cat([tensor([7], [1])]))).toEqual(new Float32Array([7]));
    });
  });

  it('names the shapes when inputs do not fit', async () => {
    await scope(async () => {
      expect(() =>
        cat([tensor(randomArray(6, 1), [2, 3]), tensor(randomArray(8, 1), [2, 4])], 0),
      ).toThrow(/f32\[2, 3\], f32\[2, 4\]/);
      expect(() => cat([tensor([1], [1]), tensor(new Int32Array([1]), [1])])).toThrow(/same dtype/);
      expect(() => cat([])).toThrow(/at least one/);
    });
  });
});

describe('stack', () => {
  it('stacks along a new leading, middle or trailing axis', async () => {
    await scope(async () => {
      const a = randomArray(2 * 3, 6);
      const b = randomArray(2 * 3, 7);
      const ta = tensor(a, [2, 3]);
      const tb = T.contiguous(tensor(b, [2, 3]).transpose()).transpose(); // a strided view of the same values
      for (const axis of [0, 1, 2, -1]) {
        const ax = axis < 0 ? axis + 3 : axis;
        const shape = [2, 3];
        shape.splice(ax, 0, 1);
        const ref = catReference(
          [
            { shape, data: [...a] },
            { shape, data: [...b] },
          ],
          ax,
        );
        const y = stack([ta, tb], axis);
        expect(y.shape).toEqual(ref.shape);
        expect([...(await T.data(y))]).toEqual(ref.data.map(Math.fround));
      }
      expect(() => stack([ta, tensor([1, 2], [2])])).toThrow(/same shape; got \[2, 3\], \[2\]/);
    });
  });
});

describe('split', () => {
  it('returns views of equal parts or given sizes that share storage', async () => {
    await scope(async () => {
      const data = randomArray(4 * 6, 8);
      const x = tensor(data, [4, 6]);
      const thirds = split(x, 3, 1);
      expect(thirds.map((t) => t.shape)).toEqual([
        [4, 2],
        [4, 2],
        [4, 2],
      ]);
      for (const t of thirds) expect(t.buffer).toBe(x.buffer);
      const second = ndOf(data, x.narrow(1, 2, 2)).data;
      expect([...(await T.data(thirds[1] as Tensor))]).toEqual(second);
      const parts = split(x, [1, 0, 3], 0);
      expect(parts.map((t) => t.shape)).toEqual([
        [1, 6],
        [0, 6],
        [3, 6],
      ]);
      expect([...(await T.data(parts[2] as Tensor))]).toEqual([...data.subarray(6)]);
      // Round trip: cat of the parts is the input.
      expect(await T.data(cat(split(x, [2, 4], -1), -1))).toEqual(data);
    });
  });

  it('rejects uneven counts and sizes that do not sum to the axis', async () => {
    await scope(async () => {
      const x = tensor(randomArray(10, 1), [2, 5]);
      expect(() => split(x, 2, 1)).toThrow(
        /cannot split axis 1 \(size 5\) of \[2, 5\] into 2 equal parts/,
      );
      expect(() => split(x, [2, 2], 1)).toThrow(
        /sizes \[2, 2\] must be non-negative integers summing to axis 1 \(size 5\)/,
      );
    });
  });
});
