/**
 * Node-only: a small tmpfs for the full-disk and read-only tests. Mounting needs root (or
 * CAP_SYS_ADMIN); where it fails, the caller skips with the reason this returns. A read-only
 * mount is used instead of chmod because root ignores permission bits, not a read-only mount.
 */
import { execFileSync } from 'node:child_process';

/** Mounts a tmpfs of `size` (e.g. "4m") on `dir`; returns why not, or undefined when mounted. */
export function mountTmpfs(dir: string, size: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    return `cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): ${stderr || (e as Error).message}`;
  }
}

/** Makes the tmpfs on `dir` read-only (after its folders were made). */
export function remountReadOnly(dir: string): void {
  execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' });
}

/** Unmounts `dir` (lazily, so a process that still holds it cannot make the test fail). */
export function unmount(dir: string): void {
  execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
}
