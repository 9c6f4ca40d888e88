/**
 * Shared test helpers: seeded inputs and small shape utilities for the naive float64 CPU
 * references written in each test file. Closeness is `expect(x).toBeAllclose(y)` (test-utils).
 */
import * as T from '@llm-streamline/tensor';

// Shape arithmetic is tensor's own (tested there); the references below only need it.
export const sizeOf = T.sizeOf;
export const stridesOf = T.contiguousStrides;
export { randomArray, rng } from '@llm-streamline/test-utils';

/** The test device, created once per file. */
export function testDevice(): Promise<T.Device> {
  return T.getDevice();
}

/** Reads a tensor back as plain numbers. */
export async function read(t: T.Tensor): Promise<number[]> {
  return Array.from(await T.data(t));
}

/** The broadcast shape of several shapes (NumPy rules; assumes they are compatible). */
export function broadcastShape(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) =>
    Math.max(...shapes.map((s) => s[s.length - rank + i] ?? 1)),
  );
}

/** Applies `f` element-wise over inputs broadcast together; returns the flat output. */
export function cpuBroadcast(
  arrays: readonly ArrayLike<number>[],
  shapes: readonly (readonly number[])[],
  f: (...xs: number[]) => number,
): Float64Array {
  const shape = broadcastShape(shapes);
  const out = new Float64Array(sizeOf(shape));
  const outStrides = stridesOf(shape);
  const inStrides = shapes.map((s) => {
    const st = stridesOf(s);
    // Broadcast dims (missing or size 1) read with stride 0.
    return shape.map((_, i) => {
      const j = i - (shape.length - s.length);
      return j < 0 || s[j] === 1 ? 0 : (st[j] as number);
    });
  });
  for (let flat = 0; flat < out.length; flat++) {
    const xs = arrays.map((a, k) => {
      let o = 0;
      for (let d = 0; d < shape.length; d++)
        o +=
          (Math.floor(flat / (outStrides[d] as number)) % (shape[d] as number)) *
          ((inStrides[k] as number[])[d] as number);
      return a[o] as number;
    });
    out[flat] = f(...xs);
  }
  return out;
}

/** erf to ~1e-15 for |x| ≤ 4 by its Maclaurin series (the GPU uses a 1.5e-7 approximation). */
export function erf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** Multi-index of a flat row-major position. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % (shape[d] as number);
    flat = Math.floor(flat / (shape[d] as number));
  }
  return idx;
}

/** Flat row-major position of a multi-index. */
export function ravel(idx: readonly number[], shape: readonly number[]): number {
  let o = 0;
  for (let d = 0; d < shape.length; d++) o = o * (shape[d] as number) + (idx[d] as number);
  return o;
}

/** x.permute(axes) materialised. */
export function cpuPermute(
  x: ArrayLike<number>,
  shape: readonly number[],
  axes: readonly number[],
): Float64Array {
  const outShape = axes.map((a) => shape[a] as number);
  const out = new Float64Array(x.length);
  for (let flat = 0; flat < out.length; flat++) {
    const idx = unravel(flat, outShape);
    const src = new Array<number>(shape.length);
    axes.forEach((a, i) => {
      src[a] = idx[i] as number;
    });
    out[flat] = x[ravel(src, shape)] as number;
  }
  return out;
}

/** Reduces `axes` of x with `f` (starting from `init`); the result keeps the other axes in order. */
export function cpuReduce(
  x: ArrayLike<number>,
  shape: readonly number[],
  axes: readonly number[],
  f: (acc: number, v: number) => number,
  init: number,
): Float64Array {
  const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(sizeOf(keptShape)).fill(init);
  for (let flat = 0; flat < x.length; flat++) {
    const idx = unravel(flat, shape).map((v, i) => (axes.includes(i) ? 0 : v));
    const o = ravel(idx, keptShape);
    out[o] = f(out[o] as number, x[flat] as number);
  }
  return out;
}

/** Batched matmul [..., M, K]·[..., K, N] with broadcast batch dims. */
export function cpuMatmul(
  a: ArrayLike<number>,
  aShape: readonly number[],
  b: ArrayLike<number>,
  bShape: readonly number[],
): Float64Array {
  const [m, k] = aShape.slice(-2) as [number, number];
  const n = bShape[bShape.length - 1] as number;
  const batch = broadcastShape([aShape.slice(0, -2), bShape.slice(0, -2)]);
  const batches = sizeOf(batch);
  const out = new Float64Array(batches * m * n);
  const batchOffset = (flat: number, own: readonly number[]) => {
    const idx = unravel(flat, batch)
      .slice(batch.length - own.length)
      .map((v, i) => (own[i] === 1 ? 0 : v));
    return ravel(idx, own);
  };
  for (let bi = 0; bi < batches; bi++) {
    const ao = batchOffset(bi, aShape.slice(0, -2)) * m * k;
    const bo = batchOffset(bi, bShape.slice(0, -2)) * k * n;
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++)
          s += (a[ao + i * k + t] as number) * (b[bo + t * n + j] as number);
        out[bi * m * n + i * n + j] = s;
      }
  }
  return out;
}
