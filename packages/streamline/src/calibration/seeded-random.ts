/**
 * The pipeline's CPU randomness (which blocks go to scoring, training and validation; the order
 * of training batches): tensor's seeded generator, and a shuffle driven by it.
 */
export { seededRandom } from '@llm-streamline/tensor';

/** Fisher–Yates shuffle of a copy, driven by `random`. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
