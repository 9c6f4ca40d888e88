/**
 * The task files of `--tasks FILE[,FILE…]`: each read and parsed (see llm's parseTaskFile); a
 * bundled task may be named instead of a path. Every problem is a CliError naming the file (and
 * the line, for a bad item).
 */
import { type MultipleChoiceTask, parseTaskFile, TaskFileError } from '@llm-streamline/llm';
import { BUNDLED } from './bundled.js';
import { CliError, UsageError } from './errors.js';
import { readTextFile } from './text-input.js';

const FORMATS_HINT =
  'each line must be a JSON object: {"context": ..., "choices": [...], "gold": i}, or a line of the HellaSwag, PIQA, ARC or WinoGrande jsonl releases';

/** The paths in a `--tasks` value: comma-separated; a bundled task's name stands for its file. */
export function taskPaths(value: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0)
    throw new UsageError('--tasks needs at least one file', 'e.g. --tasks story-endings');
  const bundled: Record<string, string> = BUNDLED.tasks;
  return names.map((n) => bundled[n] ?? n);
}

/** Reads and parses each task file. */
export async function readTasks(paths: readonly string[]): Promise<MultipleChoiceTask[]> {
  const tasks: MultipleChoiceTask[] = [];
  for (const path of paths) {
    const text = await readTextFile(path, '--tasks');
    try {
      tasks.push(parseTaskFile(text, path));
    } catch (e) {
      if (e instanceof TaskFileError) throw new CliError(`--tasks ${e.message}`, FORMATS_HINT);
      throw e;
    }
  }
  return tasks;
}
