import type { Writable } from '../io.js';
import { formatDuration, formatRate } from './format.js';

/** One progress update: a stage (and what in it), units done of total. */
export interface ProgressUpdate {
  stage: string;
  done: number;
  total: number;
  /** What is being done inside the stage ("training pairs", "original model"). */
  message?: string;
  /** Unit name for the rate ("blocks", "steps"). */
  unit?: string;
  /** An ETA computed by the caller; otherwise extrapolated from this stage's rate. */
  etaSeconds?: number;
  /** Extra text at the end of the line ("loss 0.012"). */
  detail?: string;
}

/**
 * A progress display on stderr. On a terminal: one line redrawn in place with stage, bar,
 * done/total, rate and ETA (at most ten redraws a second). Otherwise (a pipe, a log file): plain
 * lines, the first and last of each stage and at most one every `plainIntervalMs` in between.
 */
export class ProgressBar {
  private key: string | undefined;
  private started = 0;
  private startDone = 0;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private lineOpen = false;

  constructor(
    private readonly stream: Writable,
    private readonly options: {
      tty: boolean;
      now?: () => number;
      plainIntervalMs?: number;
    },
  ) {}

  update(u: ProgressUpdate): void {
    const now = this.now();
    const key = `${u.stage}\u0000${u.message ?? ''}`;
    if (key !== this.key) {
      this.finish();
      this.key = key;
      this.started = now;
      this.startDone = u.done;
      this.lastDraw = Number.NEGATIVE_INFINITY;
    }
    const final = u.done >= u.total;
    const interval = this.options.tty ? 100 : (this.options.plainIntervalMs ?? 5000);
    if (!final && now - this.lastDraw < interval) return;
    this.lastDraw = now;
    this.draw(u, now);
  }

  /** Ends the current stage's line (a terminal keeps it as the stage's final state). */
  finish(): void {
    if (this.options.tty && this.lineOpen) this.stream.write('\n');
    this.lineOpen = false;
    this.key = undefined;
  }

  /** Clears the live line so other text can be printed, without ending the stage. */
  interrupt(): void {
    if (this.options.tty && this.lineOpen) {
      this.stream.write('\r\x1b[2K');
      this.lineOpen = false;
    }
  }

  private draw(u: ProgressUpdate, now: number): void {
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 && u.done > this.startDone ? (u.done - this.startDone) / seconds : 0;
    const eta =
      u.etaSeconds ?? (rate > 0 && u.done < u.total ? (u.total - u.done) / rate : undefined);
    const label = u.message ? `${u.stage} (${u.message})` : u.stage;
    const parts = [`${u.done}/${u.total}`];
    if (rate > 0) parts.push(`${formatRate(rate)} ${u.unit ?? 'it'}/s`);
    if (u.done >= u.total) parts.push(`done in ${formatDuration(seconds)}`);
    else if (eta !== undefined) parts.push(`ETA ${formatDuration(eta)}`);
    if (u.detail) parts.push(u.detail);
    if (this.options.tty) {
      const width = Math.max(40, (this.stream.columns || 100) - 1);
      const text = `${label} ${bar(u.done, u.total, 24)} ${parts.join('  ')}`;
      this.stream.write(`\r\x1b[2K${text.slice(0, width)}`);
      this.lineOpen = true;
    } else {
      const pct = u.total > 0 ? Math.floor((100 * u.done) / u.total) : 0;
      this.stream.write(`${label}: ${pct}% ${parts.join(', ')}\n`);
    }
  }

  private now(): number {
    return (this.options.now ?? (() => performance.now()))();
  }
}

function bar(done: number, total: number, width: number): string {
  const filled = total > 0 ? Math.round((width * Math.min(done, total)) / total) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}
