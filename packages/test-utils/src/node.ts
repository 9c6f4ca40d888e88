/** Fixture helpers for tests running in Node (the `node` vitest projects). */
import { fixtureFileExists, readFixtureFile } from './paths.js';

/** Bytes of `relPath` under the shared data folder (`$SHARED_DATA` or `<repo>/../shared/data`). */
export function readFixture(relPath: string): Promise<Uint8Array> {
  return readFixtureFile(relPath, 'shared');
}

/** UTF-8 text of `relPath` under the shared data folder. */
export async function readFixtureText(relPath: string): Promise<string> {
  return new TextDecoder().decode(await readFixture(relPath));
}

/** Whether `relPath` exists under the shared data folder (for `it.skipIf`). */
export function hasFixture(relPath: string): Promise<boolean> {
  return fixtureFileExists(relPath, 'shared');
}

/** Bytes of `relPath` relative to the monorepo root (e.g. `packages/llm/test/data/x.json`). */
export function readRepoFile(relPath: string): Promise<Uint8Array> {
  return readFixtureFile(relPath, 'repo');
}

/** The runtime the test runs in. */
export const testRuntime: 'node' | 'browser' = 'node';
export { maxAbsDiff } from './max-abs-diff.js';
export { randomArray, rng } from './random.js';
// The type also brings the `toBeAllclose` declaration to every test program that imports this.
export type { AllcloseOptions } from './to-be-allclose.js';
