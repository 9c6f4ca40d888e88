import { contiguousStrides, formatShape, normalizeAxis, type Shape, sizeOf } from './shape.js';

/**
 * Where a tensor's elements live inside its storage buffer: element `(i0, i1, …)` is at
 * `offset + Σ ik·strides[k]`. Every view (reshape, permute, slice, expand) is a new Layout
 * over the same storage, so views cost no copy. Strides and offset count elements, not bytes.
 */
export interface Layout {
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
}

/** The row-major layout of a fresh buffer. */
export function contiguousLayout(shape: Shape): Layout {
  return { shape: [...shape], strides: contiguousStrides(shape), offset: 0 };
}

/**
 * A dense layout of `layout.shape` that orders the dims in memory as `layout` does (largest stride
 * outermost), like PyTorch's `empty_like` with `preserve_format`: an op that writes such an output
 * turns a permuted view in into a permuted view out, so undoing the permutation later is free.
 * Row-major when `layout` has no single order: broadcast (stride-0) or overlapping dims.
 */
export function denseLayoutLike(layout: Layout): Layout {
  const { shape } = layout;
  const dims = shape.map((_, i) => i).filter((i) => (shape[i] as number) > 1);
  const order = [...dims].sort(
    (a, b) => (layout.strides[b] as number) - (layout.strides[a] as number) || a - b,
  );
  const distinct = order.every(
    (d, k) =>
      (layout.strides[d] as number) > 0 &&
      (k === 0 ||
        (layout.strides[d] as number) < (layout.strides[order[k - 1] as number] as number)),
  );
  if (!distinct) return contiguousLayout(shape);
  const strides = contiguousStrides(shape); // size-1 dims keep these; their stride is never used
  let step = 1;
  for (let k = order.length - 1; k >= 0; k--) {
    const d = order[k] as number;
    strides[d] = step;
    step *= shape[d] as number;
  }
  return { shape: [...shape], strides, offset: 0 };
}

/** True when elements are densely packed in row-major order (size-1 dims may have any stride). */
export function isContiguous(layout: Layout): boolean {
  let expected = 1;
  for (let i = layout.shape.length - 1; i >= 0; i--) {
    const d = layout.shape[i] as number;
    if (d !== 1 && layout.strides[i] !== expected) return false;
    expected *= d;
  }
  return true;
}

/**
 * A reshape that keeps the same storage, or `undefined` when the strides make that impossible
 * (then the caller copies). Works by matching groups of old dims to groups of new dims whose
 * old dims are mutually contiguous, as PyTorch's `view` does.
 */
export function reshapeLayout(layout: Layout, shape: Shape): Layout | undefined {
  if (isContiguous(layout))
    return { shape: [...shape], strides: contiguousStrides(shape), offset: layout.offset };
  const oldShape = layout.shape.filter((d) => d !== 1);
  const oldStrides = layout.strides.filter((_, i) => layout.shape[i] !== 1);
  const strides = new Array<number>(shape.length).fill(0);
  let oi = oldShape.length - 1;
  let ni = shape.length - 1;
  while (ni >= 0) {
    if (shape[ni] === 1) {
      strides[ni] = 1;
      ni--;
      continue;
    }
    if (oi < 0) return undefined;
    // Collect one chunk: old dims [oj..oi] whose product equals new dims [nj..ni].
    let oldSize = oldShape[oi] as number;
    let newSize = shape[ni] as number;
    let oj = oi;
    let nj = ni;
    while (oldSize !== newSize) {
      if (oldSize < newSize) {
        oj--;
        if (oj < 0) return undefined;
        if (oldStrides[oj] !== (oldStrides[oj + 1] as number) * (oldShape[oj + 1] as number))
          return undefined;
        oldSize *= oldShape[oj] as number;
      } else {
        nj--;
        if (nj < 0) return undefined;
        newSize *= shape[nj] as number;
      }
    }
    for (let k = oj; k < oi; k++) {
      if (oldStrides[k] !== (oldStrides[k + 1] as number) * (oldShape[k + 1] as number))
        return undefined;
    }
    let s = oldStrides[oi] as number;
    for (let k = ni; k >= nj; k--) {
      strides[k] = s;
      s *= shape[k] as number;
    }
    oi = oj - 1;
    ni = nj - 1;
  }
  if (oi >= 0) return undefined;
  return { shape: [...shape], strides, offset: layout.offset };
}

/** Reorders axes: `permuteLayout(l, [1, 0])` is a transpose. */
export function permuteLayout(layout: Layout, axes: readonly number[]): Layout {
  const rank = layout.shape.length;
  const norm = axes.map((a) => normalizeAxis(a, rank, 'permute'));
  if (norm.length !== rank || new Set(norm).size !== rank) {
    throw new RangeError(
      `permute: axes [${axes.join(', ')}] are not a permutation of ${rank} dims`,
    );
  }
  return {
    shape: norm.map((a) => layout.shape[a] as number),
    strides: norm.map((a) => layout.strides[a] as number),
    offset: layout.offset,
  };
}

/** Keeps `length` entries of `axis` starting at `start` (PyTorch's `narrow`). */
export function narrowLayout(layout: Layout, axis: number, start: number, length: number): Layout {
  const a = normalizeAxis(axis, layout.shape.length, 'narrow');
  const dim = layout.shape[a] as number;
  if (
    !Number.isInteger(start) ||
    !Number.isInteger(length) ||
    start < 0 ||
    length < 0 ||
    start + length > dim
  ) {
    throw new RangeError(
      `narrow: range [${start}, ${start + length}) is outside axis ${a} of size ${dim} in shape ${formatShape(layout.shape)}`,
    );
  }
  const shape = [...layout.shape];
  shape[a] = length;
  return {
    shape,
    strides: layout.strides,
    offset: layout.offset + start * (layout.strides[a] as number),
  };
}

/** Broadcasts size-1 dims (and new leading dims) to `shape` with stride 0: no copy. */
export function expandLayout(layout: Layout, shape: Shape): Layout {
  const rank = shape.length;
  const lead = rank - layout.shape.length;
  if (lead < 0)
    throw new RangeError(
      `expand: cannot expand ${formatShape(layout.shape)} to fewer dims ${formatShape(shape)}`,
    );
  const strides = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const target = shape[i] as number;
    if (i < lead) {
      strides[i] = 0;
      continue;
    }
    const d = layout.shape[i - lead] as number;
    if (d === target) strides[i] = layout.strides[i - lead] as number;
    else if (d === 1) strides[i] = 0;
    else
      throw new RangeError(
        `expand: cannot expand ${formatShape(layout.shape)} to ${formatShape(shape)} (axis ${i})`,
      );
  }
  return { shape: [...shape], strides, offset: layout.offset };
}

/** Number of elements a layout addresses. */
export function layoutSize(layout: Layout): number {
  return sizeOf(layout.shape);
}

/** One past the largest element index a layout touches (how big the storage must be). */
export function layoutExtent(layout: Layout): number {
  if (sizeOf(layout.shape) === 0) return layout.offset;
  let last = layout.offset;
  for (let i = 0; i < layout.shape.length; i++)
    last += ((layout.shape[i] as number) - 1) * (layout.strides[i] as number);
  return last + 1;
}
