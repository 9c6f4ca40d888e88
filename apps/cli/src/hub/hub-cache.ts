/**
 * Reading the Hugging Face cache without the network (HF_HUB_OFFLINE, or the Hub unreachable):
 * the layout is Python huggingface_hub's, `models--org--name/{refs/<revision>, snapshots/<commit>/…,
 * blobs/<etag>}`, so snapshots downloaded by Python tools count too.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HubId } from '@llm-streamline/llm';
import { indexShards, planWeights, SAFETENSORS_INDEX } from '@llm-streamline/llm';

const COMMIT = /^[0-9a-f]{40}$/;

/** The cache folder of `repo` (`models--org--name`). */
export function repoCacheFolder(cacheDir: string, repo: string): string {
  return join(cacheDir, `models--${repo.split('/').join('--')}`);
}

/** Records that `revision` is `commit`, as Python's cache does (refs/<revision> holds the hash). */
export function refPath(cacheDir: string, repo: string, revision: string): string {
  return join(repoCacheFolder(cacheDir, repo), 'refs', revision);
}

/**
 * The model's local path in the cache (a snapshot folder, or its single .gguf) when everything
 * the model needs is there; undefined otherwise.
 */
export async function cachedModel(cacheDir: string, id: HubId): Promise<string | undefined> {
  const commit = COMMIT.test(id.revision)
    ? id.revision
    : (await readFile(refPath(cacheDir, id.repo, id.revision), 'utf8').catch(() => ''))?.trim();
  if (!commit) return undefined;
  const snapshot = join(repoCacheFolder(cacheDir, id.repo), 'snapshots', commit);
  const files = await readdir(snapshot).catch(() => undefined);
  if (!files) return undefined;
  const present = (name: string) =>
    stat(join(snapshot, name)).then(
      (s) => s.isFile(),
      () => false,
    );
  const plan = planWeights(files);
  if (plan.kind === 'gguf') return join(snapshot, plan.file);
  if (plan.kind === 'none' || !(await present('config.json'))) return undefined;
  let weights = plan.files;
  if (plan.kind === 'safetensors-index') {
    const text = await readFile(join(snapshot, SAFETENSORS_INDEX), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    weights = indexShards(text, join(snapshot, SAFETENSORS_INDEX));
  }
  for (const file of weights) if (!(await present(file))) return undefined;
  return snapshot;
}
