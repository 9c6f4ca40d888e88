import { readFile } from 'node:fs/promises';
import { CliError } from './errors.js';

/**
 * Reads a text file given on the command line (`flag` names where it came from, for the error).
 * Missing, unreadable or empty files are errors that say which flag to fix.
 */
export async function readTextFile(path: string, flag: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'ENOENT'
        ? `${flag} ${path}: no such file`
        : code === 'EISDIR'
          ? `${flag} ${path}: is a folder, not a text file`
          : `${flag} ${path}: cannot read it (${(e as Error).message})`,
      `give ${flag} a UTF-8 text file (documents separated by blank lines)`,
    );
  }
  if (text.trim().length === 0)
    throw new CliError(`${flag} ${path}: the file is empty`, `give ${flag} a file with text in it`);
  return text;
}
