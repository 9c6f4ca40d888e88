/**
 * Run plumbing every stage shares: seconds spent per stage (the report's `timings`) and progress
 * events with an ETA. One per run.
 */
import { type LlamaForCausalLM, measureStage } from '@llm-streamline/llm';
import { ProgressClock, type ProgressEvent, type Stage } from '../pipeline/progress.js';

export class RunClock {
  /** Seconds spent per stage; a stage run twice (pairs) adds up. */
  readonly timings: Record<string, number> = {};
  private readonly clock: ProgressClock;

  /**
   * @param model the model of the run: when it was loaded under a memory budget, each stage's
   *   peak device bytes are measured and noted in its plan (llm's `measureStage`).
   */
  constructor(
    onProgress?: (event: ProgressEvent) => void,
    private readonly model?: LlamaForCausalLM,
  ) {
    this.clock = new ProgressClock(onProgress);
  }

  /** Runs `fn`, adding its wall time to `stage`, whether it succeeds or not. */
  async timed<R>(stage: Stage, fn: () => Promise<R>): Promise<R> {
    const t0 = performance.now();
    try {
      return this.model ? await measureStage(this.model, stage, fn) : await fn();
    } finally {
      this.timings[stage] = (this.timings[stage] ?? 0) + (performance.now() - t0) / 1000;
    }
  }

  /** A (done, total) callback that reports progress of `stage`. */
  progress(stage: Stage, message?: string): (done: number, total: number) => void {
    return (done, total) => this.clock.report({ stage, done, total, message });
  }

  /** Reports one event (training steps and epochs carry losses too). */
  report(event: ProgressEvent): void {
    this.clock.report(event);
  }
}
