/**
 * Where fixtures live (Node only). Shared by the Node fixture reader and by the vitest browser
 * command that serves fixtures to tests running in Chromium.
 */
import { access, readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Which tree a fixture path is relative to. */
export type FixtureRoot = 'shared' | 'repo';

/** Absolute path of the monorepo root. */
export const repoRoot: string = fileURLToPath(new URL('../../../', import.meta.url));

/** `$SHARED_DATA`, or `<repo>/../shared/data`. */
export function sharedDataDir(): string {
  const fromEnv = process.env.SHARED_DATA;
  return fromEnv ? resolve(fromEnv) : resolve(repoRoot, '..', 'shared', 'data');
}

/** Resolve `relPath` against the shared data folder or the repo root. */
export function fixturePath(relPath: string, root: FixtureRoot = 'shared'): string {
  if (isAbsolute(relPath)) {
    throw new Error(`fixture path must be relative to ${root}, got absolute path "${relPath}"`);
  }
  return resolve(root === 'shared' ? sharedDataDir() : repoRoot, relPath);
}

/** Read a fixture's bytes; the error names the resolved path and how to override it. */
export async function readFixtureFile(relPath: string, root: FixtureRoot): Promise<Uint8Array> {
  const path = fixturePath(relPath, root);
  try {
    const buf = await readFile(path);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (err) {
    const hint = root === 'shared' ? ' (set SHARED_DATA to the shared data folder)' : '';
    throw new Error(`cannot read fixture "${relPath}" at ${path}${hint}: ${String(err)}`);
  }
}

/** Whether a fixture exists and is readable. */
export async function fixtureFileExists(relPath: string, root: FixtureRoot): Promise<boolean> {
  try {
    await access(fixturePath(relPath, root));
    return true;
  } catch {
    return false;
  }
}
