import { beforeAll, describe, expect, it } from 'vitest';
import { contiguous, data, reshape, scope, tensor } from '../src/index.js';
import { denseLayoutLike, reshapeLayout } from '../src/tensor/layout.js';
import { atIndex, indices, randomTensor, testDevice } from './helpers.js';

/** Naive reference: the values of a strided view of `data`, in row-major order. */
function viewValues(
  data: Float32Array,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
): number[] {
  return [...indices(shape)].map((idx) => atIndex(data, strides, offset, idx));
}

describe('views share storage and read through strides', () => {
  beforeAll(testDevice);

  it('transpose, permute, narrow, slice, expand, unsqueeze and squeeze match the naive strided read', async () => {
    await scope(async () => {
      const { t, x } = randomTensor([3, 4, 5], 1);
      const cases = [
        t.transpose(),
        t.permute([2, 0, 1]),
        t.narrow(1, 1, 2),
        t.slice(2, -3),
        t.narrow(0, 2, 1).expand([4, 4, 5]),
        t.unsqueeze(1).expand([3, 2, 4, 5]),
        t.narrow(0, 1, 1).squeeze(0),
        t.permute([1, 2, 0]).narrow(2, 1, 2),
      ];
      for (const v of cases) {
        expect(v.buffer).toBe(t.buffer);
        expect(await data(v)).toBeAllclose(viewValues(x, v.shape, v.strides, v.offset));
        // contiguous() of the view holds the same values in a dense layout.
        const dense = contiguous(v);
        expect(dense.isContiguous).toBe(true);
        expect(await data(dense)).toBeAllclose(viewValues(x, v.shape, v.strides, v.offset));
      }
    });
  });

  it('reshape is a view when strides allow it and a copy otherwise, with the same values', async () => {
    await scope(async () => {
      const { t, x } = randomTensor([4, 6], 2);
      const r = reshape(t, [2, 2, 6]);
      expect(r.buffer).toBe(t.buffer);
      expect(await data(r)).toBeAllclose(x);
      const tt = t.transpose(); // [6, 4], not contiguous
      const flat = reshape(tt, [-1]);
      expect(flat.buffer).not.toBe(t.buffer);
      expect(await data(flat)).toBeAllclose(viewValues(x, [6, 4], [1, 6], 0));
      // Splitting a transposed dim keeps a view.
      const split = reshape(tt, [2, 3, 4]);
      expect(split.buffer).toBe(t.buffer);
      expect(await data(split)).toBeAllclose(viewValues(x, [6, 4], [1, 6], 0));
    });
  });

  it('reshapeLayout refuses merges across non-contiguous dims', () => {
    const transposed = { shape: [6, 4], strides: [1, 6], offset: 0 };
    expect(reshapeLayout(transposed, [24])).toBeUndefined();
    expect(reshapeLayout(transposed, [2, 3, 4])).toEqual({
      shape: [2, 3, 4],
      strides: [3, 1, 6],
      offset: 0,
    });
    expect(reshapeLayout({ shape: [2, 1, 3], strides: [3, 99, 1], offset: 5 }, [6])?.offset).toBe(
      5,
    );
  });

  it("denseLayoutLike keeps a view's memory order, or falls back to row-major", () => {
    // [B, T, H, Dh] storage viewed as [B, H, T, Dh] (heads out of a projection).
    const heads = { shape: [2, 4, 5, 8], strides: [160, 8, 32, 1], offset: 7 };
    expect(denseLayoutLike(heads)).toEqual({
      shape: [2, 4, 5, 8],
      strides: [160, 8, 32, 1],
      offset: 0,
    });
    // A narrowed KV cache [1, 2, 3 of 9, 4]: same order, packed.
    const narrowed = { shape: [1, 2, 3, 4], strides: [72, 36, 4, 1], offset: 0 };
    expect(denseLayoutLike(narrowed).strides.slice(1)).toEqual([12, 4, 1]);
    // Broadcast and overlapping layouts have no single order: row-major.
    const broadcast = { shape: [3, 4], strides: [0, 1], offset: 0 };
    expect(denseLayoutLike(broadcast).strides).toEqual([4, 1]);
    const overlapping = { shape: [3, 4], strides: [1, 1], offset: 0 };
    expect(denseLayoutLike(overlapping).strides).toEqual([4, 1]);
  });

  it('bad views give errors that name the shapes', () => {
    scope(() => {
      const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
      expect(() => reshape(t, [4, 2])).toThrow(/\[2, 3\].*\[4, 2\]/);
      expect(() => t.narrow(1, 2, 2)).toThrow(/axis 1 of size 3/);
      expect(() => t.expand([4, 3, 2])).toThrow(/\[2, 3\] to \[4, 3, 2\]/);
      expect(() => t.permute([0, 0])).toThrow(/not a permutation/);
      expect(() => t.squeeze(0)).toThrow(/is not 1/);
    });
  });
});
