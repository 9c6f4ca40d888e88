import type { CliIo } from '../io.js';
import { ProgressBar, type ProgressUpdate } from './progress-bar.js';

export interface OutputMode {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
}

/**
 * Where a command's output goes, by mode:
 *  - default: progress bar and notes on stderr, the result as text on stdout;
 *  - `--json`: JSON lines on stdout (`{"type":"progress"…}`, `{"type":"note"…}`, one
 *    `{"type":"result"…}`), nothing else on stdout;
 *  - `--quiet`: only the result (and errors).
 */
export class Reporter {
  private readonly bar: ProgressBar;

  constructor(
    readonly io: CliIo,
    readonly mode: OutputMode,
  ) {
    this.bar = new ProgressBar(io.stderr, { tty: io.stderr.isTTY === true });
  }

  progress(u: ProgressUpdate & Record<string, unknown>): void {
    if (this.mode.json) this.json({ type: 'progress', ...u });
    else if (!this.mode.quiet) this.bar.update(u);
  }

  /** A line for humans (what was assumed, what was skipped). */
  note(message: string): void {
    if (this.mode.json) this.json({ type: 'note', message });
    else if (!this.mode.quiet) {
      this.bar.interrupt();
      this.io.stderr.write(`${message}\n`);
    }
  }

  /** The command's result: an object in JSON mode, `human` text otherwise. */
  result(object: Record<string, unknown>, human: string): void {
    this.endProgress();
    if (this.mode.json) this.json({ type: 'result', ...object });
    else this.io.stdout.write(human.endsWith('\n') ? human : `${human}\n`);
  }

  /** Ends a live progress line (before an error or the result). */
  endProgress(): void {
    this.bar.finish();
  }

  /** One JSON line on stdout. */
  json(object: Record<string, unknown>): void {
    this.io.stdout.write(`${JSON.stringify(object, jsonSafe)}\n`);
  }
}

/** NaN and infinities have no JSON form; write them as null rather than dropping the key. */
function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
