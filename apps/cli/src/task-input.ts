/**
 * The task files of `--tasks FILE[,FILE…]`: each read and parsed (see llm's parseTaskFile); a
 * bundled task may be named instead of a path. Every problem is a CliError naming the file (and
 * the line, for a bad item).
 */
import { type MultipleChoiceTask, parseTaskFile, TaskFileError } from '@llm-streamline/llm';
import type { ParsedArgs } from './args/parse.js';
import type { FlagSpec } from './args/spec.js';
import { intFlag, stringFlag } from './args/values.js';
import { BUNDLED } from './bundled.js';
import { CliError, UsageError } from './errors.js';
import { readTextFile } from './text-input.js';

const FORMATS_HINT =
  'each line must be a JSON object: {"context": ..., "choices": [...], "gold": i}, or a line of the HellaSwag, PIQA, ARC or WinoGrande jsonl releases';

/** The `--tasks` flag, as `eval` and `prune` take it; `more` ends its description. */
export function tasksFlag(more: string): FlagSpec {
  return {
    type: 'string',
    value: 'FILE[,FILE…]',
    description: `multiple-choice task files (JSONL of {context, choices, gold}, or the HellaSwag, PIQA, ARC or WinoGrande jsonl releases); "story-endings" names the bundled task. ${more}`,
  };
}

/**
 * A task item that cannot be scored (llm's encodeChoices: a RangeError starting with the task's
 * file) as a CliError that says what to change; anything else unchanged.
 */
export function taskItemError(e: unknown, tasks: readonly MultipleChoiceTask[]): unknown {
  if (e instanceof RangeError && tasks.some((t) => e.message.startsWith(`${t.file}:`)))
    return new CliError(`--tasks ${e.message}`, 'use a larger --block-length or a shorter choice');
  return e;
}

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

/** `--limit N`, beside `--tasks` in `eval` and `prune`. */
export const TASK_LIMIT_FLAG: FlagSpec = {
  type: 'string',
  value: 'N',
  description:
    "with --tasks: score only each task's first N items (a quick check, as lm-evaluation-harness's --limit)",
};

/** The tasks `--tasks` names, each cut to its first `--limit` items; undefined without --tasks. */
export async function tasksFromFlags(
  values: ParsedArgs['values'],
): Promise<MultipleChoiceTask[] | undefined> {
  const value = stringFlag(values, 'tasks');
  const limit = intFlag(values, 'limit', { min: 1 });
  if (value === undefined) {
    if (limit !== undefined)
      throw new UsageError('--limit needs --tasks', 'give --tasks FILE, or leave out --limit');
    return undefined;
  }
  const tasks = await readTasks(taskPaths(value));
  return limit === undefined ? tasks : tasks.map((t) => ({ ...t, items: t.items.slice(0, limit) }));
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
