/**
 * A model "directory" (Hugging Face layout: config.json, model.safetensors,
 * tokenizer.json, ...) abstracted over where the files come from: a browser
 * directory picker, dropped files, in-memory bytes, or a Node path
 * (`node-model-directory.ts`).
 */
import { type ByteSource, blobByteSource, bytesByteSource, readAllText } from './byte-source.js';

export interface ModelDirectory {
  /** Name used in error messages (folder name or path). */
  readonly name: string;
  /** Opens a file by path relative to the directory; `undefined` when it does not exist. */
  open(relativePath: string): Promise<ByteSource | undefined>;
}

/**
 * A directory over Blobs/Files keyed by relative path. For `<input webkitdirectory>`
 * File lists, pass `files` and the leading folder of `webkitRelativePath` is dropped.
 */
export function blobModelDirectory(
  files: Iterable<File> | ReadonlyMap<string, Blob>,
  name = 'model',
): ModelDirectory {
  const byPath = new Map<string, Blob>();
  if (files instanceof Map) {
    for (const [path, blob] of files) byPath.set(path, blob);
  } else {
    for (const file of files as Iterable<File>) {
      const relative = file.webkitRelativePath
        ? file.webkitRelativePath.split('/').slice(1).join('/')
        : file.name;
      byPath.set(relative || file.name, file);
    }
  }
  return {
    name,
    async open(relativePath) {
      const blob = byPath.get(relativePath);
      return blob ? blobByteSource(blob, `${name}/${relativePath}`) : undefined;
    },
  };
}

/** A directory over in-memory files (tests, generated checkpoints). */
export function memoryModelDirectory(
  files: Readonly<Record<string, Uint8Array>>,
  name = 'memory',
): ModelDirectory {
  return {
    name,
    async open(relativePath) {
      const bytes = Object.hasOwn(files, relativePath) ? files[relativePath] : undefined;
      return bytes ? bytesByteSource(bytes, `${name}/${relativePath}`) : undefined;
    },
  };
}

/** Reads and parses a JSON file of a directory; `undefined` when absent, error naming the file when invalid. */
export async function readJsonFile(
  dir: ModelDirectory,
  relativePath: string,
): Promise<unknown | undefined> {
  const source = await dir.open(relativePath);
  if (!source) return undefined;
  try {
    return JSON.parse(await readAllText(source));
  } catch (error) {
    throw new Error(`${source.name}: invalid JSON (${(error as Error).message})`);
  } finally {
    await source.close?.();
  }
}
