/** Shape arithmetic shared by views and ops: sizes, strides, broadcasting, axis normalisation. */

export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar shape `[]`). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-order) strides of a shape, in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] as number;
  }
  return strides;
}

/** `[2, 3]` style rendering for error messages. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** Whether two shapes are equal element by element. */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * NumPy broadcasting: align trailing dims; each pair must be equal or contain a 1.
 * Throws with every input shape in the message when they do not broadcast.
 */
export function broadcastShapes(shapes: readonly Shape[], opName: string): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const shape of shapes) {
    for (let i = 0; i < shape.length; i++) {
      const axis = rank - shape.length + i;
      const d = shape[i] as number;
      const o = out[axis] as number;
      if (d === o || d === 1) continue;
      if (o === 1) {
        out[axis] = d;
        continue;
      }
      throw new RangeError(
        `${opName}: shapes ${shapes.map(formatShape).join(' and ')} do not broadcast (axis ${axis}: ${o} vs ${d})`,
      );
    }
  }
  return out;
}

/** Resolves a possibly negative axis against a rank, with a clear error when out of range. */
export function normalizeAxis(axis: number, rank: number, opName: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= Math.max(rank, 1)) {
    throw new RangeError(`${opName}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}

/** Normalises a list of axes (or all axes when undefined), sorted and de-duplicated. */
export function normalizeAxes(
  axes: number | readonly number[] | undefined,
  rank: number,
  opName: string,
): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const set = new Set(list.map((a) => normalizeAxis(a, rank, opName)));
  if (set.size !== list.length)
    throw new RangeError(`${opName}: repeated axis in [${list.join(', ')}]`);
  return [...set].sort((x, y) => x - y);
}

/** Resolves one `-1` entry of a reshape target against a total element count. */
export function inferReshape(target: Shape, total: number, from: Shape): number[] {
  const unknown = target.filter((d) => d === -1).length;
  if (unknown > 1)
    throw new RangeError(`reshape: at most one -1 allowed, got ${formatShape(target)}`);
  const known = target.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const out = target.map((d) => (d === -1 ? total / known : d));
  if (out.some((d) => !Number.isInteger(d) || d < 0) || sizeOf(out) !== total) {
    throw new RangeError(
      `reshape: cannot reshape ${formatShape(from)} (${total} elements) to ${formatShape(target)}`,
    );
  }
  return out;
}
