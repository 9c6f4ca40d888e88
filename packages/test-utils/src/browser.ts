/**
 * Fixture helpers for tests running in Chromium (the `chromium` vitest projects). The browser
 * cannot read the disk, so each read is a vitest browser command (defined in vitest.shared.ts)
 * that runs in the vitest Node process and returns the bytes as base64.
 */
import { commands } from 'vitest/browser';
import type { FixtureRoot } from './paths.js';

declare module 'vitest/browser' {
  interface BrowserCommands {
    llmsReadFixture: (relPath: string, root: FixtureRoot) => Promise<string>;
    llmsFixtureExists: (relPath: string, root: FixtureRoot) => Promise<boolean>;
  }
}

function fromBase64(b64: string): Uint8Array {
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  if (native) return native(b64);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Bytes of `relPath` under the shared data folder (`$SHARED_DATA` or `<repo>/../shared/data`). */
export async function readFixture(relPath: string): Promise<Uint8Array> {
  return fromBase64(await commands.llmsReadFixture(relPath, 'shared'));
}

/** UTF-8 text of `relPath` under the shared data folder. */
export async function readFixtureText(relPath: string): Promise<string> {
  return new TextDecoder().decode(await readFixture(relPath));
}

/** Whether `relPath` exists under the shared data folder (for `it.skipIf`). */
export function hasFixture(relPath: string): Promise<boolean> {
  return commands.llmsFixtureExists(relPath, 'shared');
}

/** Bytes of `relPath` relative to the monorepo root (e.g. `packages/llm/test/data/x.json`). */
export async function readRepoFile(relPath: string): Promise<Uint8Array> {
  return fromBase64(await commands.llmsReadFixture(relPath, 'repo'));
}

/** The runtime the test runs in. */
export const testRuntime: 'node' | 'browser' = 'browser';
export { maxAbsDiff } from './max-abs-diff.js';
export { randomArray, rng } from './random.js';
// The type also brings the `toBeAllclose` declaration to every test program that imports this.
export type { AllcloseOptions } from './to-be-allclose.js';
