/**
 * Reads a multiple-choice task from JSONL text: one JSON object per line, its format (generic
 * `{context, choices, gold}`, HellaSwag, PIQA, ARC or WinoGrande) told from the first line's field
 * names. Any bad line is an error naming the file and line; nothing is skipped silently.
 */
import type { MultipleChoiceItem, MultipleChoiceTask, TaskFormat } from './choice-item.js';
import { detectFormat, FieldError, FORMAT_READERS } from './task-formats.js';

/** A task file that cannot be read: `file:line: what is wrong`. */
export class TaskFileError extends Error {
  override name = 'TaskFileError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    what: string,
  ) {
    super(`${line === undefined ? file : `${file}:${line}`}: ${what}`);
  }
}

/**
 * Parses the JSONL `text` of the task file `file` (the name is for messages and the task's name).
 * Blank lines are skipped. Throws {@link TaskFileError} for invalid JSON, a line of another format
 * than the first, a missing or malformed field, an empty choice list or a gold index out of range.
 */
export function parseTaskFile(text: string, file: string): MultipleChoiceTask {
  const items: MultipleChoiceItem[] = [];
  let format: TaskFormat | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let doc: unknown;
    try {
      doc = JSON.parse(raw);
    } catch (e) {
      throw new TaskFileError(file, line, `invalid JSON (${(e as Error).message})`);
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
      throw new TaskFileError(file, line, 'expected a JSON object per line');
    const record = doc as Record<string, unknown>;
    if (format === undefined) {
      format = detectFormat(record);
      if (format === undefined)
        throw new TaskFileError(
          file,
          line,
          `cannot tell the task format from the fields ${Object.keys(record).join(', ') || '(none)'}: expected {context, choices, gold}, or the fields of HellaSwag (ctx_a, ctx_b, endings, label), PIQA (goal, sol1, sol2, label), ARC (question, choices, answerKey) or WinoGrande (sentence, option1, option2, answer)`,
        );
    }
    try {
      items.push({ ...FORMAT_READERS[format](record), line });
    } catch (e) {
      if (e instanceof FieldError) throw new TaskFileError(file, line, `${format}: ${e.message}`);
      throw e;
    }
  });
  if (format === undefined || items.length === 0)
    throw new TaskFileError(file, undefined, 'no items (the file has no JSON lines)');
  return { name: taskName(file), file, format, items };
}

/** The file name without its folder and extension. */
function taskName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  return base.replace(/\.jsonl?$/i, '') || base;
}
