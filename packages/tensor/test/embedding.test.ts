import { beforeAll, describe, expect, it } from 'vitest';
import { data, embedding, embeddingBackward, scope, tensor } from '../src/index.js';
import { randomArray, rng, testDevice } from './helpers.js';

beforeAll(async () => {
  await testDevice();
});

/** Row lookup with ids clamped into [0, V), as embedding documents. */
function reference(
  weight: Float32Array,
  v: number,
  d: number,
  ids: ArrayLike<number>,
): Float32Array {
  const out = new Float32Array(ids.length * d);
  for (let n = 0; n < ids.length; n++) {
    const row = Math.min(Math.max(ids[n] as number, 0), v - 1);
    out.set(weight.subarray(row * d, row * d + d), n * d);
  }
  return out;
}

function backwardReference(
  grad: Float32Array,
  ids: ArrayLike<number>,
  v: number,
  d: number,
): Float64Array {
  const out = new Float64Array(v * d);
  for (let n = 0; n < ids.length; n++) {
    const row = Math.min(Math.max(ids[n] as number, 0), v - 1);
    for (let j = 0; j < d; j++)
      out[row * d + j] = (out[row * d + j] as number) + (grad[n * d + j] as number);
  }
  return out;
}

function randomIds(n: number, v: number, seed: number): Int32Array {
  const next = rng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(next() * v));
}

describe('embedding', () => {
  it('gathers rows for i32 and u32 ids of any shape', async () => {
    await scope(async () => {
      const [v, d] = [11, 7];
      const w = randomArray(v * d, 1);
      const ids = randomIds(2 * 5, v, 2);
      const y = embedding(tensor(w, [v, d]), tensor(ids, [2, 5]));
      expect(y.shape).toEqual([2, 5, d]);
      expect(await data(y)).toEqual(reference(w, v, d, ids));
      const u = embedding(tensor(w, [v, d]), tensor(Uint32Array.from(ids), [10]));
      expect(await data(u)).toEqual(reference(w, v, d, ids));
      const scalar = embedding(tensor(w, [v, d]), tensor(new Int32Array([3]), []));
      expect(scalar.shape).toEqual([d]);
      expect(await data(scalar)).toEqual(w.subarray(3 * d, 4 * d));
    });
  });

  it('reads a transposed weight and strided ids', async () => {
    await scope(async () => {
      const [v, d] = [6, 5];
      const wT = randomArray(d * v, 3);
      const weight = tensor(wT, [d, v]).transpose(); // [v, d] with strides [1, v]
      const dense = Float32Array.from(
        { length: v * d },
        (_, i) => wT[(i % d) * v + Math.floor(i / d)] as number,
      );
      const ids = randomIds(8, v, 4);
      const idView = tensor(ids, [4, 2]).transpose();
      const expectedIds = [0, 2, 4, 6, 1, 3, 5, 7].map((i) => ids[i] as number);
      expect(await data(embedding(weight, idView))).toEqual(reference(dense, v, d, expectedIds));
    });
  });

  it('clamps out-of-range ids instead of reading out of bounds', async () => {
    await scope(async () => {
      const [v, d] = [4, 3];
      const w = randomArray(v * d, 5);
      const ids = new Int32Array([-1, 4, 100, -2147483648, 2]);
      expect(await data(embedding(tensor(w, [v, d]), tensor(ids)))).toEqual(
        reference(w, v, d, ids),
      );
      const big = new Uint32Array([0xffffffff, 7, 1]);
      expect(await data(embedding(tensor(w, [v, d]), tensor(big)))).toEqual(
        reference(w, v, d, [3, 3, 1]),
      );
    });
  });

  it('rejects float ids and non-matrix weights', async () => {
    await scope(async () => {
      expect(() => embedding(tensor([1, 2], [1, 2]), tensor([0]))).toThrow(
        /ids must be i32 or u32, got f32\[1\]/,
      );
      expect(() => embedding(tensor([1, 2], [2]), tensor(new Int32Array([0])))).toThrow(
        /weight \[2\] must be \[V, D\]/,
      );
    });
  });
});

describe('embeddingBackward', () => {
  it('sums gradient rows per id, repeated ids included', async () => {
    await scope(async () => {
      const [v, d] = [9, 6];
      const ids = new Int32Array([3, 1, 3, 8, 0, 3, 1, 5, 2, 3, 12, -4]);
      const grad = randomArray(ids.length * d, 6);
      const g = embeddingBackward(tensor(grad, [3, 4, d]), tensor(ids, [3, 4]), v);
      expect(g.shape).toEqual([v, d]);
      expect(await data(g)).toBeAllclose(backwardReference(grad, ids, v, d), {
        atol: 1e-6,
        rtol: 1e-6,
      });
    });
  });

  it('covers rows wider than one column block (D > 256)', async () => {
    await scope(async () => {
      const [v, d] = [3, 300];
      const ids = new Int32Array([2, 0, 2, 2, 1]);
      const grad = randomArray(ids.length * d, 9);
      expect(await data(embeddingBackward(tensor(grad, [5, d]), tensor(ids), v))).toBeAllclose(
        backwardReference(grad, ids, v, d),
        { atol: 1e-6, rtol: 1e-6 },
      );
    });
  });

  it('accepts non-contiguous gradients and u32 ids', async () => {
    await scope(async () => {
      const [v, d] = [5, 4];
      const ids = Uint32Array.from(randomIds(6, v, 7));
      const gT = randomArray(d * 6, 8);
      const grad = tensor(gT, [d, 6]).transpose();
      const dense = Float32Array.from(
        { length: 6 * d },
        (_, i) => gT[(i % d) * 6 + Math.floor(i / d)] as number,
      );
      expect(await data(embeddingBackward(grad, tensor(ids), v))).toBeAllclose(
        backwardReference(dense, ids, v, d),
        { atol: 1e-6, rtol: 1e-6 },
      );
    });
  });

  it('checks that grad matches ids', async () => {
    await scope(async () => {
      expect(() =>
        embeddingBackward(tensor(randomArray(6, 1), [3, 2]), tensor(new Int32Array([0, 1])), 4),
      ).toThrow(/grad \[3, 2\] must be \[\.\.\.ids\.shape, D\] for ids \[2\]/);
    });
  });
});
