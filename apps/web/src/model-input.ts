/**
 * What the user chose as a model, as File/Blob objects only. Bundled models are fetched into the
 * same shape (bundled-assets.ts), so a bundled model and a picked folder take one code path.
 */
export type ModelInput =
  | { kind: 'huggingface'; name: string; files: ReadonlyMap<string, Blob> }
  | { kind: 'gguf'; name: string; file: Blob }
  | {
      kind: 'llama2c';
      name: string;
      checkpoint: Blob;
      /** llama2.c `tok*.bin`, used to tokenize. */
      tokenizer?: Blob;
      /** SentencePiece `.model` of the same vocabulary, copied into the export as tokenizer.model. */
      sentencePiece?: Blob;
    };

/**
 * Recognises a model among files keyed by path relative to the chosen folder (or by file name):
 * a Hugging Face folder (config.json), one `.gguf`, or a llama2.c `.bin` with its tokenizer.
 * Throws an error that says what was found and what is expected.
 */
export function classifyModelFiles(files: ReadonlyMap<string, Blob>, name: string): ModelInput {
  const paths = [...files.keys()];
  if (files.has('config.json')) return { kind: 'huggingface', name, files };
  const ggufs = paths.filter((p) => p.toLowerCase().endsWith('.gguf'));
  if (ggufs.length > 1)
    throw new Error(`${name}: ${ggufs.length} .gguf files (${ggufs.join(', ')}); pick one.`);
  if (ggufs.length === 1) {
    const path = ggufs[0] as string;
    return { kind: 'gguf', name: baseName(path), file: files.get(path) as Blob };
  }
  const isTokBin = (p: string) =>
    /^tok.*\.bin$/i.test(baseName(p)) || baseName(p) === 'tokenizer.bin';
  const bins = paths.filter((p) => p.toLowerCase().endsWith('.bin') && !isTokBin(p));
  if (bins.length > 1)
    throw new Error(
      `${name}: ${bins.length} checkpoints (${bins.join(', ')}); pick one .bin file.`,
    );
  if (bins.length === 1) {
    const path = bins[0] as string;
    const tokBins = paths.filter(isTokBin);
    const models = paths.filter((p) => p.toLowerCase().endsWith('.model'));
    if (tokBins.length === 0)
      throw new Error(
        `${baseName(path)}: a llama2.c checkpoint needs its tokenizer (a tok*.bin file such as tok512.bin); pick it together with the .bin file.`,
      );
    return {
      kind: 'llama2c',
      name: baseName(path),
      checkpoint: files.get(path) as Blob,
      tokenizer: files.get(tokBins[0] as string),
      sentencePiece: models.length === 1 ? files.get(models[0] as string) : undefined,
    };
  }
  const found = paths.length === 0 ? 'no files' : paths.slice(0, 6).join(', ');
  throw new Error(
    `${name}: not a model (found ${found}). Expected a Hugging Face folder with config.json, a .gguf file, or a llama2.c .bin checkpoint with its tok*.bin tokenizer.`,
  );
}

/** Files of an `<input webkitdirectory>` or a multi-file pick, keyed by path inside the folder. */
export function filesByPath(files: Iterable<File>): Map<string, Blob> {
  const out = new Map<string, Blob>();
  for (const file of files) {
    const relative = file.webkitRelativePath
      ? file.webkitRelativePath.split('/').slice(1).join('/')
      : file.name;
    out.set(relative || file.name, file);
  }
  return out;
}

/** A name for a folder pick: the first path segment of `webkitRelativePath`. */
export function folderName(files: readonly File[]): string {
  return files[0]?.webkitRelativePath.split('/')[0] || 'model';
}

function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}
