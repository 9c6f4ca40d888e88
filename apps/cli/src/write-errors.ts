/**
 * The one mapping from a file-system error while writing (full disk, no permission, read-only
 * disk) to a message that names the path and the fix. Used by the output preflight, around every
 * write of a command, and by cli.ts for whatever else reaches it.
 */
import { CliError } from './errors.js';

/** The errno codes that mean "this place cannot be written", with the reason and the fix. */
const WRITE_ERRORS: Record<string, { reason: string; fix: (where: string) => string }> = {
  ENOSPC: {
    reason: 'no space left on the device',
    fix: (where) => `free some space there, or choose ${where} on another disk`,
  },
  EDQUOT: {
    reason: 'disk quota exceeded',
    fix: (where) => `free some space there, or choose ${where} on another disk`,
  },
  EACCES: {
    reason: 'permission denied',
    fix: (where) => `choose ${where} in a folder you can write to, or change its permissions`,
  },
  EPERM: {
    reason: 'operation not permitted',
    fix: (where) => `choose ${where} in a folder you can write to, or change its permissions`,
  },
  EROFS: {
    reason: 'read-only file system',
    fix: (where) => `choose ${where} on a writable disk`,
  },
};

/** What a write was for: the flag that named the output (`--out`, `OUT`) and its path. */
export interface WriteTarget {
  flag: string;
  path: string;
}

/** The errno code of a Node file-system error, if `e` is one. */
export function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A CliError naming the path, the reason and the fix when `e` is a full-disk, permission or
 * read-only error; undefined for anything else. With `target`, the output flag is named; a path of
 * the temporary training-pair folder points at TMPDIR instead.
 */
export function writeError(e: unknown, target?: WriteTarget): CliError | undefined {
  const code = errnoCode(e);
  const known = code === undefined ? undefined : WRITE_ERRORS[code];
  if (!code || !known) return undefined;
  const path = (e as { path?: unknown }).path;
  const errPath = typeof path === 'string' ? path : undefined;
  if (errPath?.includes('llm-streamline-pairs-'))
    return new CliError(
      `cannot write the temporary training pairs ${errPath}: ${known.reason} (${code})`,
      code === 'ENOSPC' || code === 'EDQUOT'
        ? 'free some space there, or set TMPDIR to a folder on a disk with room'
        : 'set TMPDIR to a folder you can write to',
      { cause: e },
    );
  const what = target ? `${target.flag} ${target.path}` : (errPath ?? 'the output');
  const detail = target && errPath && errPath !== target.path ? ` (at ${errPath})` : '';
  return new CliError(
    `cannot write ${what}: ${known.reason} (${code})${detail}`,
    known.fix(target?.flag ?? 'the output'),
    { cause: e },
  );
}

/** A rejection handler that rethrows {@link writeError}'s CliError, or the error as it is. */
export function rethrowWriteError(target: WriteTarget): (e: unknown) => never {
  return (e) => {
    throw writeError(e, target) ?? e;
  };
}
