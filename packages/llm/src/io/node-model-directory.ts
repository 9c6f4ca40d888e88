/**
 * Node-only ModelDirectory over a folder on disk. Import dynamically from code
 * that may run in a browser.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelDirectory } from './model-directory.js';
import { openFileByteSource } from './node-byte-source.js';

/** Opens files of `dirPath` lazily; missing files resolve to `undefined`. */
export function nodeModelDirectory(dirPath: string): ModelDirectory {
  return {
    name: dirPath,
    async open(relativePath) {
      const path = join(dirPath, relativePath);
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) return undefined;
      return openFileByteSource(path, path);
    },
  };
}
