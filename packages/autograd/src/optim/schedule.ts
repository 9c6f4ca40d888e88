/**
 * Learning-rate schedules: pure functions from the step number (0 for the first step) to a
 * learning rate, so a schedule can be plotted, tested and resumed from any step. Set the
 * optimiser's `lr` from one before each `step()`:
 *
 * ```ts
 * const lrAt = warmupCosine({ peakLr: 3e-4, warmupSteps: 100, totalSteps: 2000, minLr: 3e-5 });
 * for (let step = 0; step < 2000; step++) { opt.lr = lrAt(step); …; opt.step(); }
 * ```
 */
export type LrSchedule = (step: number) => number;

/** The same learning rate at every step. */
export function constantLr(lr: number): LrSchedule {
  return () => lr;
}

export interface WarmupCosineOptions {
  /** Learning rate reached at the end of warm-up. */
  peakLr: number;
  /** Steps of linear warm-up: step s < warmupSteps uses peakLr·(s + 1)/warmupSteps (never 0). */
  warmupSteps: number;
  /** Step at which the cosine reaches `minLr`; later steps stay there. */
  totalSteps: number;
  /** Floor of the decay. Default 0. */
  minLr?: number;
}

/**
 * Linear warm-up to `peakLr`, then half a cosine down to `minLr` at `totalSteps` (the schedule of
 * most LLM training and fine-tuning recipes). Warm-up starts at peakLr/warmupSteps rather than 0
 * so the first step is not wasted.
 */
export function warmupCosine({
  peakLr,
  warmupSteps,
  totalSteps,
  minLr = 0,
}: WarmupCosineOptions): LrSchedule {
  if (!(warmupSteps >= 0 && totalSteps >= warmupSteps)) {
    throw new RangeError(
      `warmupCosine: need 0 ≤ warmupSteps (${warmupSteps}) ≤ totalSteps (${totalSteps})`,
    );
  }
  return (step) => {
    if (step < warmupSteps) return (peakLr * (step + 1)) / warmupSteps;
    if (step >= totalSteps) return minLr;
    const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    return minLr + (peakLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}
