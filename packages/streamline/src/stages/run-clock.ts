/**
 * Run plumbing every stage shares: seconds spent per stage (the report's `timings`) and progress
 * events with an ETA. One per run.
 */
import type { MemoryPlan } from '@llm-streamline/llm';
import type { Device } from '@llm-streamline/tensor';
import { ProgressClock, type ProgressEvent, type Stage } from '../pipeline/progress.js';

export class RunClock {
  /** Seconds spent per stage; a stage run twice (pairs) adds up. */
  readonly timings: Record<string, number> = {};
  private readonly clock: ProgressClock;

  /**
   * @param memory a model's memory plan and its device: each stage's peak device bytes are then
   *   measured and noted in the plan, beside what the plan expected.
   */
  constructor(
    onProgress?: (event: ProgressEvent) => void,
    private readonly memory?: { plan: MemoryPlan; device: Device },
  ) {
    this.clock = new ProgressClock(onProgress);
  }

  /** Runs `fn`, adding its wall time to `stage`, whether it succeeds or not. */
  async timed<R>(stage: Stage, fn: () => Promise<R>): Promise<R> {
    const t0 = performance.now();
    await this.startMeasuring();
    try {
      return await fn();
    } finally {
      this.timings[stage] = (this.timings[stage] ?? 0) + (performance.now() - t0) / 1000;
      this.noteMemory(stage);
    }
  }

  private async startMeasuring(): Promise<void> {
    if (!this.memory) return;
    this.memory.plan.lastGroup = undefined;
    this.memory.device.pool.resetPeak();
  }

  /** The stage's peak (the larger, for a stage run twice) beside the plan's expectation. */
  private noteMemory(stage: Stage): void {
    if (!this.memory) return;
    const { plan, device } = this.memory;
    const measured = device.memoryStats().peakBytesHeld;
    const before = plan.stages[stage];
    const group = plan.lastGroup;
    plan.noteStage(stage, {
      plannedPeakBytes:
        plan.mode === 'resident'
          ? plan.residentPeakBytes
          : Math.max(group?.plannedPeakBytes ?? 0, before?.plannedPeakBytes ?? 0),
      measuredPeakBytes: Math.max(measured, before?.measuredPeakBytes ?? 0),
      ...(group ? { batchesPerGroup: group.batchesPerGroup } : {}),
    });
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
