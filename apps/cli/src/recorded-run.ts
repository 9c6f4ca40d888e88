/**
 * What a pruned folder's `streamline.json` recorded about the run that wrote it, for the defaults
 * of commands run on that folder: `eval pruned` measures perplexity on the same held-out text, in
 * blocks of the same length, as `prune` compared the models on.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from './errors.js';

export interface RecordedEvaluation {
  /** The streamline.json it came from (for messages). */
  file: string;
  /** The evaluation text's path, as recorded. */
  text: string;
  blockLength?: number;
}

/**
 * The evaluation text and block length `streamline.json` in the folder `model` recorded; undefined
 * when `model` is not a folder with one, or the run evaluated nothing. A recorded text that is no
 * longer there (or never was a file: the web app records a name) is an error saying to give --data.
 */
export async function recordedEvaluation(model: string): Promise<RecordedEvaluation | undefined> {
  const file = join(model, 'streamline.json');
  let report: unknown;
  try {
    report = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined; // not one of our outputs (or not a folder): nothing recorded
  }
  const r = report as {
    perplexity?: { source?: unknown };
    calibration?: { blockLength?: unknown };
  };
  const text = r.perplexity?.source;
  if (typeof text !== 'string') return undefined;
  const isFile = await stat(text).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile)
    throw new CliError(
      `eval: the evaluation text recorded in ${file} (${text}) is not a file here`,
      'give --data TEXT',
    );
  const blockLength = r.calibration?.blockLength;
  return {
    file,
    text,
    ...(Number.isInteger(blockLength) && (blockLength as number) >= 2
      ? { blockLength: blockLength as number }
      : {}),
  };
}
