/** The stages of a run, in order. */
export type Stage =
  | 'calibration'
  | 'scoring'
  | 'pairs'
  | 'training'
  | 'finetune'
  | 'evaluation'
  | 'tasks'
  | 'export';

/** What a run reports as it goes: enough for a progress bar with rate and ETA, and loss curves. */
export interface ProgressEvent {
  stage: Stage;
  /** Units done and total in this stage (blocks, batches, steps or tensors). */
  done: number;
  total: number;
  /** Seconds left in this stage, extrapolated from its rate so far. */
  etaSeconds?: number;
  /** Training loss of the step just taken, validation loss after an epoch. */
  loss?: number;
  validationLoss?: number;
  epoch?: number;
  /** What is being done, for humans ("perplexity of the original model"). */
  message?: string;
}

/** Adds an ETA to stage-local progress: rate measured since the stage's first event. */
export class ProgressClock {
  private started = new Map<string, { time: number; done: number }>();

  constructor(private readonly emit: (event: ProgressEvent) => void = () => {}) {}

  report(event: ProgressEvent): void {
    const key = `${event.stage}:${event.message ?? ''}`;
    const now = performance.now();
    const first = this.started.get(key);
    if (!first) this.started.set(key, { time: now, done: event.done });
    let etaSeconds: number | undefined;
    if (first && event.done > first.done) {
      const rate = (event.done - first.done) / ((now - first.time) / 1000);
      etaSeconds = (event.total - event.done) / rate;
    }
    this.emit({ ...event, etaSeconds });
  }
}
