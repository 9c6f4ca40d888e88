/**
 * Node-only: which of the three formats the model at a path is in. One rule for everything that
 * takes a MODEL path (loading it, inspecting its headers).
 */
import { stat } from 'node:fs/promises';
import { openFileByteSource } from '../io/node-byte-source.js';
import type { ModelFormat } from './load-model.js';

/**
 * The format of the model at `path`: a directory is a Hugging Face folder; a file starting with
 * the magic `GGUF` is GGUF; otherwise a `.bin` is a llama2.c checkpoint (llama2.c files have no
 * magic, so its name is all there is to go by). `undefined` for a file that is none of these;
 * throws when `path` does not exist.
 */
export async function detectModelFormat(path: string): Promise<ModelFormat | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new Error(`${path}: no such file or directory`);
  if (info.isDirectory()) return 'huggingface';
  const source = await openFileByteSource(path, path);
  try {
    const magic = new TextDecoder().decode(await source.read(0, Math.min(4, source.size)));
    if (magic === 'GGUF') return 'gguf';
  } finally {
    await source.close?.();
  }
  return path.endsWith('.bin') ? 'llama2c' : undefined;
}
