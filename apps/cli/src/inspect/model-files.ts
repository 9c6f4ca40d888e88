/** The files a MODEL path stands for, with their sizes: what `inspect` lists as on disk. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A file of a model and its size. */
export interface ModelFile {
  name: string;
  bytes: number;
}

/** Every file of a model folder by name (sorted), or the single checkpoint file by its path. */
export async function modelFiles(path: string): Promise<ModelFile[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [{ name: path, bytes: info.size }];
  const names = (await readdir(path)).sort();
  return Promise.all(
    names.map(async (name) => ({ name, bytes: (await stat(join(path, name))).size })),
  );
}
