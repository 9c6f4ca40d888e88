/**
 * Node-only: a file handle's write error (ENOSPC, EIO…) carries no path, unlike one from open or
 * mkdir; this gives it the file's, so the message can say which file could not be written.
 */

/** A rejection handler that sets `path` on a Node error that has none, and rethrows it. */
export function withPath(path: string): (e: unknown) => never {
  return (e) => {
    if (e instanceof Error && (e as NodeJS.ErrnoException).path === undefined)
      (e as NodeJS.ErrnoException).path = path;
    throw e;
  };
}
