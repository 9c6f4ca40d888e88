/**
 * The errors the CLI distinguishes, because each maps to its own exit code and message shape:
 * a usage error (bad flag or value, exit 2), a failure with advice (exit 1), and cancellation
 * (Ctrl-C, exit 130).
 */

/** Exit codes: 0 ok, 1 failure, 2 usage error, 130 cancelled (128 + SIGINT). */
export const EXIT = { ok: 0, failure: 1, usage: 2, cancelled: 130 } as const;

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

/** The run was stopped (Ctrl-C). Exit 130. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}
