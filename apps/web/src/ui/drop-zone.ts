/**
 * Drag-and-drop of a model folder or files. A dropped folder is walked through the File and
 * Directory Entries API, so its files arrive keyed by path inside it, as `<input webkitdirectory>`
 * gives them.
 */

export interface DroppedFiles {
  /** The dropped folder's name, or the first file's. */
  name: string;
  files: Map<string, File>;
}

/** Wires `zone`: highlight while dragging over, `onDrop` with the files. */
export function attachDropZone(
  zone: HTMLElement,
  onDrop: (dropped: Promise<DroppedFiles>) => void,
): void {
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer) onDrop(readDataTransfer(e.dataTransfer));
  });
}

async function readDataTransfer(data: DataTransfer): Promise<DroppedFiles> {
  const entries = [...data.items]
    .map((item) => item.webkitGetAsEntry?.())
    .filter((e): e is FileSystemEntry => e != null);
  const files = new Map<string, File>();
  // One folder dropped: paths relative to it. Otherwise files (and folders) by their own names.
  if (entries.length === 1 && entries[0]?.isDirectory) {
    const dir = entries[0] as FileSystemDirectoryEntry;
    await walk(dir, '', files);
    return { name: dir.name, files };
  }
  if (entries.length === 0) for (const f of data.files) files.set(f.name, f);
  for (const entry of entries) {
    if (entry.isDirectory) await walk(entry as FileSystemDirectoryEntry, `${entry.name}/`, files);
    else {
      const file = await fileOf(entry as FileSystemFileEntry);
      files.set(file.name, file);
    }
  }
  return { name: entries[0]?.name ?? [...files.keys()][0] ?? 'dropped files', files };
}

async function walk(
  dir: FileSystemDirectoryEntry,
  prefix: string,
  out: Map<string, File>,
): Promise<void> {
  const reader = dir.createReader();
  // readEntries returns the entries in chunks; an empty chunk ends the listing.
  for (;;) {
    const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (chunk.length === 0) return;
    for (const entry of chunk) {
      if (entry.isDirectory)
        await walk(entry as FileSystemDirectoryEntry, `${prefix}${entry.name}/`, out);
      else out.set(`${prefix}${entry.name}`, await fileOf(entry as FileSystemFileEntry));
    }
  }
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}
