/**
 * Checks an output folder before any work: never the input nor a folder holding it; not an
 * existing path unless `--force`, and then only an earlier output of ours (what `ours` accepts);
 * and its parent writable (output-room.ts checks the free space once the model's size is known).
 */
import { open, readdir, stat } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { createOwnedFolder, removeOwnedFolder } from '@llm-streamline/llm/node';
import { CliError } from './errors.js';
import { errnoCode, writeError } from './write-errors.js';

/** What `--force` may replace: an earlier output of one command, recognised by its files. */
export interface OurOutput {
  /** Says what such a folder looks like, for the refusal (e.g. "a folder with streamline.json"). */
  description: string;
  /** Whether the folder with these entries is one. */
  matches(names: readonly string[]): boolean;
  /** Whether the file at this path is one (outputs that are files: a GGUF). Default: never. */
  matchesFile?(path: string): Promise<boolean>;
}

/** `prune`'s output: a folder with the run's `streamline.json`. */
export const PRUNE_OUTPUT: OurOutput = {
  description: 'a folder written by llm-streamline prune (one with streamline.json)',
  matches: (names) => names.includes('streamline.json'),
};

/** What `convert` writes; a folder of nothing else (and a config.json) is one of its outputs. */
const CONVERT_FILES = new Set([
  'config.json',
  'model.safetensors',
  'tokenizer.model',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
]);

/** `convert`'s output, or prune's. */
export const CONVERT_OUTPUT: OurOutput = {
  description:
    'a folder written by llm-streamline convert (config.json, model.safetensors and tokenizer files only) or prune',
  matches: (names) =>
    PRUNE_OUTPUT.matches(names) ||
    (names.includes('config.json') && names.every((n) => CONVERT_FILES.has(n))),
};

/**
 * `convert --to gguf`'s output: a file that starts with the GGUF magic. A GGUF carries no mark of
 * its writer, so any GGUF file counts; anything else is refused.
 */
export const GGUF_OUTPUT: OurOutput = {
  description: 'a GGUF file',
  matches: () => false,
  async matchesFile(path) {
    const file = await open(path, 'r');
    try {
      const magic = Buffer.alloc(4);
      await file.read(magic, 0, 4, 0);
      return magic.toString('latin1') === 'GGUF';
    } finally {
      await file.close();
    }
  },
};

/**
 * Checks `out` before any work; throws a CliError naming `flag` and the path otherwise.
 * @param options.ours - what an earlier output of this command looks like (`--force` replaces
 *   only that; never a file, nor any other folder).
 */
export async function checkOutputPath(
  out: string,
  { force, input, flag, ours }: { force: boolean; input: string; flag: string; ours: OurOutput },
): Promise<void> {
  const o = resolve(out);
  const rel = relative(o, resolve(input));
  if (rel === '' || !(rel.startsWith('..') || resolve(rel) === rel))
    throw new CliError(
      `${flag} ${out} is the input model or holds it; writing there would destroy the input`,
      `choose another output folder`,
    );
  const existing = await stat(o).catch(() => undefined);
  if (existing && !force)
    throw new CliError(
      `${out} already exists; nothing was changed`,
      'choose another output folder, or add --force to replace it',
    );
  if (existing) {
    const names = existing.isDirectory() ? await readdir(o) : undefined;
    const isOurs = names ? ours.matches(names) : ((await ours.matchesFile?.(o)) ?? false);
    if (!isOurs)
      throw new CliError(
        `${flag} ${out} exists and is ${names ? 'a folder' : 'a file'} that llm-streamline did not write; --force replaces only ${ours.description}, nothing was changed`,
        'choose another output folder, or move or delete it yourself',
      );
  }
  await checkWritable(o, flag);
}

/**
 * Proves that the output's parent can be written, by creating and deleting an owned folder in it
 * (in its nearest existing ancestor when it does not exist yet: the parents are made at export).
 * A real write, not `access()`: root passes any permission check, not a read-only disk or an
 * immutable folder.
 */
export async function checkWritable(out: string, flag: string): Promise<void> {
  const parent = await nearestExistingFolder(dirname(out));
  try {
    await removeOwnedFolder(await createOwnedFolder(parent, '.llm-streamline-probe-'));
  } catch (e) {
    // Name the folder that refused, not the probe's random name.
    throw writeError({ code: errnoCode(e), path: parent }, { flag, path: out }) ?? e;
  }
}

/** `dir`, or its nearest ancestor that exists. */
export async function nearestExistingFolder(dir: string): Promise<string> {
  let d = resolve(dir);
  while (!(await stat(d).catch(() => undefined))) {
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return d;
}
