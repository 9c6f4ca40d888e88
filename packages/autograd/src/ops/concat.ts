import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { recordOp } from './record.js';

/** Concatenation along `axis`. Each input's gradient is its slice of the output gradient (a view). */
export function cat(xs: readonly Variable[], axis = 0): Variable {
  const out = T.cat(
    xs.map((x) => x.value),
    axis,
  );
  const a = axis < 0 ? axis + out.rank : axis;
  const sizes = xs.map((x) => x.shape[a] as number);
  const starts: number[] = [];
  let start = 0;
  for (const size of sizes) {
    starts.push(start);
    start += size;
  }
  return recordOp('cat', xs, out, [], { axis: a, starts, sizes });
}

/** Stacking along a new `axis`. Input i's gradient is the i-th entry of that axis (a view). */
export function stack(xs: readonly Variable[], axis = 0): Variable {
  const out = T.stack(
    xs.map((x) => x.value),
    axis,
  );
  const a = axis < 0 ? axis + out.rank : axis;
  return recordOp('stack', xs, out, [], { axis: a, count: xs.length });
}
