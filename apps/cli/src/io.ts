/**
 * Everything a command touches outside itself, passed in so commands run the same in the real
 * process (main.ts) and in tests (in-process, with captured output).
 */

/** Where a command writes and what it knows about its surroundings. */
export interface CliIo {
  /** Results (text or JSON lines). */
  stdout: Writable;
  /** Progress, notes and errors. */
  stderr: Writable;
  /** Environment variables (NO_COLOR, COLUMNS, …). */
  env: Readonly<Record<string, string | undefined>>;
  /** Aborted on Ctrl-C; commands pass it to every long step. */
  signal: AbortSignal;
  /** Working directory relative paths are resolved against. */
  cwd: string;
}

/** The part of a stream the CLI uses. `isTTY` decides between a live bar and plain lines. */
export interface Writable {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Whether colour escapes may be written to `stream` (a terminal, and NO_COLOR unset). */
export function colorEnabled(io: CliIo, stream: Writable): boolean {
  return stream.isTTY === true && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb';
}
