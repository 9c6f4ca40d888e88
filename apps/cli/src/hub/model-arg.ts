/**
 * The MODEL argument of every command: the bundled model when absent, a local path when one exists
 * there, else a Hugging Face Hub id whose files are fetched into the shared cache.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { HUB_ID_HINT, looksLikePath, parseHubId } from '@llm-streamline/llm';
import { BUNDLED } from '../bundled.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import type { Reporter } from '../output/reporter.js';
import { fetchHubModel } from './hub-download.js';
import { hubSettings } from './hub-settings.js';

/** Shown for a MODEL that is neither a path nor an id. */
export const MODEL_ARG_HINT =
  'MODEL must be a Hugging Face model folder, a .gguf file, a llama2.c .bin, or a Hub id org/name[@revision]';

/**
 * The local path of MODEL `arg`: the bundled model when undefined; `arg` resolved against the
 * working directory when that exists (a local path wins over an id of the same spelling); else
 * the Hub model `arg` names, downloaded (with a progress bar) or found in the cache.
 */
export async function resolveModelArg(
  arg: string | undefined,
  io: Pick<CliIo, 'cwd' | 'env' | 'signal'>,
  reporter?: Reporter,
): Promise<string> {
  if (arg === undefined) return BUNDLED.model;
  const local = resolve(io.cwd, arg);
  if (await stat(local).catch(() => undefined)) return local;
  if (looksLikePath(arg)) throw new CliError(`${local}: no such file or folder`, MODEL_ARG_HINT);
  const id = parseHubId(arg);
  if ('error' in id)
    throw new CliError(
      `"${arg}": no such file or folder, nor a Hugging Face model id (${id.error})`,
      HUB_ID_HINT,
    );
  const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
  return fetchHubModel(id, hubSettings(io.env), {
    onProgress: (done, total) =>
      reporter?.progress({
        stage: 'downloading',
        message: id.repo,
        done: mb(done),
        total: mb(total),
        unit: 'MB',
      }),
    onNote: (message) => reporter?.note(message),
    signal: io.signal,
  });
}
