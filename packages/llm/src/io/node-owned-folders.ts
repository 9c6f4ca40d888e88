/**
 * Node-only: the one place where temporary folders (a staging folder beside an output, the
 * training-pair spill in the system temp folder) are created, registered and removed.
 *
 * - Every owned folder is registered while it exists; a synchronous `exit` handler removes what
 *   is still registered, so every way out of the process (a normal return, `process.exit` after a
 *   second Ctrl-C, an uncaught error) leaves nothing behind. Only a kill that runs no code at all
 *   (SIGKILL, power loss) can skip it, hence the next point.
 * - The folder's name carries its owner: `<prefix><host>-<pid>-<random>`, where `<host>` is a
 *   short hash of the host name. A later {@link createOwnedFolder} in the same parent removes
 *   folders of the same prefix pattern whose owner was on this host and is no longer running.
 *   A folder of another host (a shared network disk) or of a live process is never touched.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

const registered = new Set<string>();
let exitHandlerInstalled = false;

/** A short, stable tag for this machine, so a folder of another host is never taken for stale. */
export const HOST_TAG = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/**
 * The owned name `<prefix><host>-<pid>-<random>` for a folder of this process.
 * @param prefix - what the name starts with, e.g. `.out.partial-`.
 */
export function ownedName(prefix: string, pid = process.pid): string {
  return `${prefix}${HOST_TAG}-${pid}-${randomBytes(4).toString('hex')}`;
}

/** The owner of an owned name matching `pattern` (which must end right before the owner part). */
export function ownerOf(name: string, pattern: RegExp): { host: string; pid: number } | undefined {
  const m = new RegExp(`^(?:${pattern.source})([0-9a-f]{8})-(\\d{1,10})-[0-9a-f]{8}$`).exec(name);
  if (!m) return undefined;
  return { host: m[1] as string, pid: Number(m[2]) };
}

/**
 * Whether a process with this id runs on this machine (EPERM: it runs, as another user). A zombie
 * (killed, not yet reaped by its parent; in a container whose init does not reap, for a while)
 * does not run: Linux's /proc says so where there is one.
 */
export function processIsRunning(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** Linux: the state field of /proc/PID/stat (after the parenthesised name) is Z or X. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false; // no /proc (macOS), or gone between the two calls: kill() decided
  }
}

/**
 * Removes folders in `parent` whose names match `pattern` + owner and whose owner process, on this
 * host, is gone (killed with SIGKILL or by a power loss before it could clean up). Resolves to the
 * paths removed. A missing or unreadable `parent` removes nothing.
 */
export async function removeStaleOwnedFolders(parent: string, pattern: RegExp): Promise<string[]> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const owner = ownerOf(name, pattern);
    if (!owner || owner.host !== HOST_TAG || owner.pid === process.pid) continue;
    if (processIsRunning(owner.pid)) continue;
    const path = join(parent, name);
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
    removed.push(path);
  }
  return removed;
}

/**
 * Creates and registers the folder `parent/<prefix><host>-<pid>-<random>`, after removing stale
 * folders that match `stalePattern` (default: the literal prefix) in `parent`.
 * @param options.recursive - create missing parents too.
 */
export async function createOwnedFolder(
  parent: string,
  prefix: string,
  { stalePattern = escapeRegExp(prefix), recursive = false } = {},
): Promise<string> {
  await removeStaleOwnedFolders(parent, new RegExp(stalePattern));
  const path = join(parent, ownedName(prefix));
  if (recursive) await mkdir(parent, { recursive: true });
  await mkdir(path);
  registerTemporaryPath(path);
  return path;
}

/** Deletes an owned folder and forgets it. */
export async function removeOwnedFolder(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
  releaseTemporaryPath(path);
}

/**
 * Registers `path` to be deleted, synchronously, when the process exits, unless it is released
 * first. Installs the one `exit` handler on first use.
 */
export function registerTemporaryPath(path: string): void {
  registered.add(path);
  if (!exitHandlerInstalled) {
    exitHandlerInstalled = true;
    process.on('exit', removeTemporaryPathsSync);
  }
}

/** Forgets `path` (it was renamed into place, or already deleted). */
export function releaseTemporaryPath(path: string): void {
  registered.delete(path);
}

/** The paths that would be removed at exit now (for tests and diagnostics). */
export function temporaryPaths(): string[] {
  return [...registered];
}

/**
 * Deletes every registered path now, synchronously (what the `exit` handler runs; a process that
 * exits at once on a second signal has no time for anything asynchronous). Never throws.
 */
export function removeTemporaryPathsSync(): void {
  for (const path of registered) {
    try {
      rmSync(path, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // Nothing more can be done while exiting; the next run's stale sweep gets it.
    }
    registered.delete(path);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
