/** Seeded inputs shared by every package's tests, so a failing case reproduces exactly. */

// tensor is a peer dependency of test-utils, not a dependency: tensor's tests depend on test-utils,
// and a dependency back would be a cycle in the build graph.
import { seededRandom } from '@llm-streamline/tensor';

/** mulberry32 (tensor's `seededRandom`): uniform numbers in [0, 1) from a seed. */
export const rng: (seed: number) => () => number = seededRandom;

/** `n` f32 values uniform in [lo, hi) from a seed. */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * next());
}
