/**
 * The pruned checkpoint as files: exactly what `saveStreamlined` writes into a folder in Node
 * (config.json, model.safetensors, tokenizer files, report.html, streamline.json…), kept in
 * memory and offered as downloads, or written into a folder the user picks where the browser
 * allows it.
 */
import { MemorySink } from '@llm-streamline/llm';
import { renderReportHtml } from '@llm-streamline/report';
import { type StreamlineResult, saveStreamlined } from '@llm-streamline/streamline';

/** The run's output files by name, in the order they were written (streamline.json last). */
export async function checkpointFiles(
  result: StreamlineResult,
  tokenizerFiles: ReadonlyMap<string, Uint8Array>,
): Promise<{ files: Map<string, Uint8Array>; checkpoint: boolean }> {
  const sink = new MemorySink();
  const { checkpoint } = await saveStreamlined(result, sink, {
    extraFiles: tokenizerFiles,
    renderReport: renderReportHtml,
  });
  return { files: sink.files, checkpoint };
}

/** The File System Access API's folder picker (Chromium); absent elsewhere. */
type DirectoryPicker = (options?: { mode?: 'readwrite' }) => Promise<FileSystemDirectoryHandle>;

/** The folder picker, when this browser has one. */
export function directoryPicker(): DirectoryPicker | undefined {
  const picker = (window as unknown as { showDirectoryPicker?: DirectoryPicker })
    .showDirectoryPicker;
  return typeof picker === 'function' ? picker.bind(window) : undefined;
}

/** Writes every file into a folder the user picks; resolves with the folder's name. */
export async function saveToFolder(
  files: ReadonlyMap<string, Uint8Array>,
  pick: DirectoryPicker,
): Promise<string> {
  const dir = await pick({ mode: 'readwrite' });
  for (const [name, bytes] of files) {
    const handle = await dir.getFileHandle(name, { create: true });
    const writable = await handle.createWritable();
    await writable.write(bytes as Uint8Array<ArrayBuffer>);
    await writable.close();
  }
  return dir.name;
}
