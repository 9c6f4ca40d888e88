/**
 * The timing loop every library goes through: launch the op, wait for the device to finish it
 * (each library's own "submit everything and wait for the queue" call, no readback), free the output.
 *
 * Libraries are timed round-robin (ours, peer 1, peer 2, ours, …) rather than one after the other,
 * so load from other processes on a shared machine hits every library alike.
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
  /** True when the op was too slow to repeat: `ms` is the warm-up run itself (compilation included). */
  approx: boolean;
}

export interface TimingOptions {
  /** Time to spend on the round-robin repetitions once warm, in ms (all libraries together). */
  budgetMs: number;
  minReps: number;
  maxReps: number;
  /** A warm-up slower than this is not repeated. */
  slowMs: number;
  /** A library whose warm run is slower than this is not repeated further (one timed run). */
  heavyMs: number;
}

async function once(r: Runner): Promise<number> {
  const t0 = performance.now();
  const out = r.run();
  await r.sync();
  const ms = performance.now() - t0;
  r.dispose(out);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Warms each runner up (compiles pipelines, fills pools), then times them round-robin; medians per runner. */
export async function measureTogether(
  runners: ReadonlyMap<string, Runner>,
  { budgetMs, minReps, maxReps, slowMs, heavyMs }: TimingOptions,
): Promise<Map<string, Timing>> {
  const result = new Map<string, Timing>();
  const samples = new Map<string, number[]>();
  const warmups = new Map<string, number>();
  for (const [name, r] of runners) {
    const warmupMs = await once(r);
    warmups.set(name, warmupMs);
    if (warmupMs > slowMs) result.set(name, { ms: warmupMs, reps: 1, warmupMs, approx: true });
    else samples.set(name, [await once(r)]);
  }
  const rotating = [...samples]
    .filter(([, s]) => (s[0] as number) <= heavyMs)
    .map(([name]) => name);
  const perRound = rotating.reduce((sum, name) => sum + (samples.get(name)?.[0] as number), 0);
  const rounds =
    rotating.length === 0
      ? 0
      : Math.max(
          minReps - 1,
          Math.min(maxReps - 1, Math.floor(budgetMs / Math.max(perRound, 0.01))),
        );
  for (let i = 0; i < rounds; i++) {
    for (const name of rotating) samples.get(name)?.push(await once(runners.get(name) as Runner));
  }
  for (const [name, s] of samples) {
    result.set(name, {
      ms: median(s),
      reps: s.length,
      warmupMs: warmups.get(name) as number,
      approx: false,
    });
  }
  return result;
}
