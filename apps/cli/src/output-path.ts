import { stat } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { CliError } from './errors.js';

/**
 * Checks an output folder before any work: it must not exist unless `force`, and it must never be
 * the input or hold it (replacing it would delete the input).
 */
export async function checkOutputPath(
  out: string,
  { force, input, flag }: { force: boolean; input: string; flag: string },
): Promise<void> {
  const o = resolve(out);
  const rel = relative(o, resolve(input));
  if (rel === '' || !(rel.startsWith('..') || resolve(rel) === rel))
    throw new CliError(
      `${flag} ${out} is the input model or holds it; writing there would destroy the input`,
      `choose another output folder`,
    );
  if (!force && (await stat(o).catch(() => undefined)))
    throw new CliError(
      `${out} already exists; nothing was changed`,
      'choose another output folder, or add --force to replace it',
    );
}
