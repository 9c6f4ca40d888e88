import type { Layout } from '../tensor/layout.js';
import { contiguousStrides, sizeOf } from '../tensor/shape.js';
import { coalesceDims } from './coalesce.js';

/**
 * How a row kernel walks a tensor: every index of the dims other than `axis` names one row, and a
 * row is the `length` elements along `axis`. The input is read through its own strides (so views
 * need no copy) and the output is a fresh dense tensor of the input's shape: row-major unless the
 * plan is given another output layout (offset 0).
 */
export interface RowWalk {
  rows: number;
  length: number;
  /** Coalesced rank of the row-indexing dims (what the generated WGSL is specialised on). */
  rank: number;
  /**
   * Param words, in this order: `[rows, length, inOffset, inAxisStride, outAxisStride,
   * keptShape[rank], inKeptStrides[rank], outKeptStrides[rank]]`.
   */
  params: number[];
}

/** Number of param words a {@link RowWalk} of coalesced rank `rank` takes. */
export function rowWalkWords(rank: number): number {
  return 5 + 3 * rank;
}

/** Plans a walk over the rows of `layout` along `axis` (already normalised). */
export function planRowWalk(
  layout: Layout,
  axis: number,
  outStrides: readonly number[] = contiguousStrides(layout.shape),
): RowWalk {
  const shape = layout.shape;
  const kept = shape.map((_, i) => i).filter((i) => i !== axis);
  const keptShape = kept.map((i) => shape[i] as number);
  const merged = coalesceDims(keptShape, [
    kept.map((i) => outStrides[i] as number),
    kept.map((i) => layout.strides[i] as number),
  ]);
  const rank = merged.shape.length;
  return {
    rows: sizeOf(keptShape),
    length: shape[axis] as number,
    rank,
    params: [
      sizeOf(keptShape),
      shape[axis] as number,
      layout.offset,
      layout.strides[axis] as number,
      outStrides[axis] as number,
      ...merged.shape,
      ...(merged.strides[1] as number[]),
      ...(merged.strides[0] as number[]),
    ],
  };
}

/**
 * WGSL for `fn row_base(r: u32) -> vec2<u32>`: the element index of row `r`'s first element in
 * the input (`.x`) and in the output (`.y`). Expects the walk's params at `p[first…]`.
 */
export function rowBaseWgsl(rank: number, first = 0): string {
  const shapeAt = first + 5;
  const inAt = shapeAt + rank;
  const outAt = inAt + rank;
  if (rank === 0)
    return `fn row_base(r: u32) -> vec2<u32> { return vec2<u32>(p[${first + 2}u], 0u); }`;
  return `fn row_base(r: u32) -> vec2<u32> {
  var rem = r;
  var b = vec2<u32>(p[${first + 2}u], 0u);
  for (var k = ${rank}u; k > 0u; k--) {
    let d = k - 1u;
    let c = rem % p[${shapeAt}u + d];
    rem = rem / p[${shapeAt}u + d];
    b += c * vec2<u32>(p[${inAt}u + d], p[${outAt}u + d]);
  }
  return b;
}`;
}
