/**
 * `--config FILE`: flags read from a YAML or JSON file, keyed by the flags' own names
 * (`block-length: 128`, `no-eval: true`). Flags given on the command line override the file. An
 * unknown key is an error naming it and the closest flag, so a typo never silently does nothing.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../errors.js';
import type { FlagSpecs } from './spec.js';

/** Flags a config file may not set: they steer the parsing itself. */
const NOT_IN_FILE = new Set(['config', 'help']);

/**
 * The flag values in `file`, as the parser would give them from the command line: strings for
 * value flags (a number is written as it reads; a list is joined with commas, as `--tasks a,b`),
 * `true` for a boolean flag set to true (false leaves it unset).
 */
export function readConfigFile(
  file: string,
  flags: FlagSpecs,
  hint: string,
): Record<string, string | boolean> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--config ${file}: cannot read it (${(e as Error).message})`, hint);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    const first = (e as Error).message.split('\n')[0];
    throw new UsageError(`--config ${file}: not valid YAML or JSON (${first})`, hint);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new UsageError(
      `--config ${file}: expected a mapping of flag names to values, got ${Array.isArray(doc) ? 'a list' : typeof doc}`,
      hint,
    );
  const known = Object.keys(flags).filter((name) => !NOT_IN_FILE.has(name));
  const values: Record<string, string | boolean> = {};
  for (const [key, value] of Object.entries(doc)) {
    const spec = known.includes(key) ? flags[key] : undefined;
    if (!spec) {
      const near = closest(key.replace(/^-+/, ''), known);
      throw new UsageError(
        `--config ${file}: unknown key '${key}'`,
        near ? `did you mean '${near}'? (keys are the flags' names)` : hint,
      );
    }
    const expected = spec.type === 'boolean' ? 'true or false' : 'a string, a number or a list';
    if (spec.type === 'boolean') {
      if (typeof value !== 'boolean') throw badValue(file, key, value, expected, hint);
      if (value) values[key] = true;
    } else if (typeof value === 'string' || typeof value === 'number') values[key] = String(value);
    else if (
      Array.isArray(value) &&
      value.length > 0 &&
      value.every((v) => typeof v === 'string' || typeof v === 'number')
    )
      values[key] = value.join(',');
    else throw badValue(file, key, value, expected, hint);
  }
  return values;
}

function badValue(file: string, key: string, value: unknown, expected: string, hint: string) {
  return new UsageError(
    `--config ${file}: '${key}' must be ${expected}, got ${JSON.stringify(value)}`,
    hint,
  );
}

/** The name nearest to `key` by edit distance, when it is close enough to be a typo. */
export function closest(key: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of names) {
    const d = editDistance(key, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions of one character. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++)
      next[j] = Math.min(
        (row[j] as number) + 1,
        (next[j - 1] as number) + 1,
        (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    row = next;
  }
  return row[b.length] as number;
}
