/**
 * How every package's benchmark records its numbers (Node only): one JSON file per package under
 * `bench-results/` at the repository root, stamped with the date, the adapter and the Node version,
 * so results from different machines and runs are never confused.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { repoRoot } from './paths.js';

/**
 * Writes `bench-results/<file>` as `{ date, device, node, ...fields }` and returns its path.
 * `device` describes the adapter the numbers were measured on.
 */
export function writeBenchResults(
  file: string,
  device: string,
  fields: Record<string, unknown>,
): string {
  const out = resolve(repoRoot, 'bench-results', file);
  mkdirSync(dirname(out), { recursive: true });
  const body = { date: new Date().toISOString(), device, node: process.version, ...fields };
  writeFileSync(out, `${JSON.stringify(body, null, 2)}\n`);
  return out;
}
