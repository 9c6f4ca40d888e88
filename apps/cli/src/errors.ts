/**
 * The errors the CLI distinguishes, because each maps to its own exit code and message shape:
 * a usage error (bad flag or value, exit 2), a failure with advice (exit 1), and cancellation
 * (Ctrl-C, exit 130).
 */

/**
 * Exit codes: 0 ok, 1 failure, 2 usage error; stopped by a signal, 128 + its number: 129 SIGHUP,
 * 130 SIGINT (Ctrl-C, and `cancelled` for an abort without a signal), 143 SIGTERM.
 */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  cancelled: 130,
  SIGHUP: 129,
  SIGINT: 130,
  SIGTERM: 143,
} as const;

/** The signals that stop a run (each cancels through the same AbortSignal). */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

/** The command line itself is wrong (unknown flag, bad value, missing argument): exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** What to do about it (shown after a dash). */
    readonly hint = 'see --help',
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the user can act on: what is wrong, and what to do. Exit 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** The run was stopped (Ctrl-C, or SIGTERM / SIGHUP). Exit 130, or 128 + the signal's number. */
export class CancelledError extends Error {
  constructor(
    /** The signal that stopped the run; none for a plain abort (exit 130, like Ctrl-C). */
    readonly signal?: StopSignal,
  ) {
    super(signal ? `stopped by ${signal}` : 'cancelled');
    this.name = 'CancelledError';
  }

  /** 128 + the signal's number; 130 without a signal. */
  get exitCode(): number {
    return this.signal ? EXIT[this.signal] : EXIT.cancelled;
  }
}
