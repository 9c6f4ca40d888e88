/**
 * The timing loop every library goes through: launch the op, wait for the device to finish it
 * (each library's own "submit everything and wait for the queue" call, no readback), free the output.
 */

/** One library's way to run a case. */
export interface Runner {
  /** Launches the op once and returns its output. */
  run(): unknown;
  /** Submits pending work and resolves once the device has finished it. */
  sync(): Promise<void>;
  /** Frees an output returned by `run`. */
  dispose(out: unknown): void;
}

export interface Timing {
  /** Median of the timed repetitions, in ms. */
  ms: number;
  reps: number;
  /** First (compiling) run, in ms. */
  warmupMs: number;
  /** True when the op was too slow to repeat: `ms` is the warm-up run itself (compile included). */
  approx: boolean;
}

export interface TimingOptions {
  /** Time to spend on timed repetitions once warm, in ms. */
  budgetMs: number;
  minReps: number;
  maxReps: number;
  /** A warm-up slower than this is not repeated (keeps very slow peers from dominating the run). */
  slowMs: number;
}

async function once(r: Runner): Promise<number> {
  const t0 = performance.now();
  const out = r.run();
  await r.sync();
  const ms = performance.now() - t0;
  r.dispose(out);
  return ms;
}

/**
 * Warms up (compiles pipelines, fills buffer pools) with two runs, then repeats as many times as fit
 * in the budget (within [minReps, maxReps]) and reports the median.
 */
export async function measure(r: Runner, { budgetMs, minReps, maxReps, slowMs }: TimingOptions): Promise<Timing> {
  const warmupMs = await once(r);
  if (warmupMs > slowMs) return { ms: warmupMs, reps: 1, warmupMs, approx: true };
  const second = await once(r);
  const reps = Math.max(minReps, Math.min(maxReps, Math.floor(budgetMs / Math.max(second, 0.01))));
  const times: number[] = [];
  for (let i = 0; i < reps; i++) times.push(await once(r));
  if (times.length === 0) times.push(second);
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  const ms = times.length % 2 ? (times[mid] as number) : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
  return { ms, reps: times.length, warmupMs, approx: false };
}
