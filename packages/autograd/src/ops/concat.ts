import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { record } from './record.js';

/**
 * Concatenation along `axis`. Each input's gradient is its slice of the output gradient: a view,
 * no copy.
 */
export function cat(xs: readonly Variable[], axis = 0): Variable {
  const out = T.cat(
    xs.map((x) => x.value),
    axis,
  );
  const a = axis < 0 ? axis + out.rank : axis;
  const starts: number[] = [];
  let start = 0;
  for (const x of xs) {
    starts.push(start);
    start += x.shape[a] as number;
  }
  return record('cat', xs, out, [], (g) =>
    xs.map((x, i) => g.narrow(a, starts[i] as number, x.shape[a] as number)),
  );
}

/** Stacking along a new `axis`. Input i's gradient is the i-th entry of that axis (a view). */
export function stack(xs: readonly Variable[], axis = 0): Variable {
  const out = T.stack(
    xs.map((x) => x.value),
    axis,
  );
  const a = axis < 0 ? axis + out.rank : axis;
  return record('stack', xs, out, [], (g) => xs.map((_, i) => g.narrow(a, i, 1).squeeze(a)));
}
