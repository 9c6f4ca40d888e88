/**
 * mulberry32: the one seeded generator for whatever is drawn on the CPU, so that a run (which
 * calibration blocks are drawn, the order of training batches) or a test input reproduces exactly
 * from its seed. GPU random tensors use `randUniform`/`randNormal` instead (a counter-based hash,
 * the same on every device).
 *
 * This file imports nothing: test-utils imports it by path (it cannot depend on this package,
 * whose tests depend on it).
 */

/**
 * A generator of uniform numbers in [0, 1) from a 32-bit seed (mulberry32, 2³² period). Each call
 * returns the next number; two generators with the same seed give the same sequence.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
