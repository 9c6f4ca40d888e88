/** One download link per output file (object URLs, revoked when the list is replaced). */
import { formatBytes } from '../size-check.js';

let urls: string[] = [];

export function renderDownloadList(
  list: HTMLElement,
  files: ReadonlyMap<string, Uint8Array>,
): void {
  clearDownloadList(list);
  for (const [name, bytes] of files) {
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    urls.push(url);
    const a = list.ownerDocument.createElement('a');
    a.href = url;
    a.download = name;
    a.textContent = name;
    const li = list.ownerDocument.createElement('li');
    li.append(a, ` (${formatBytes(bytes.byteLength)})`);
    list.append(li);
  }
}

export function clearDownloadList(list: HTMLElement): void {
  for (const url of urls) URL.revokeObjectURL(url);
  urls = [];
  list.replaceChildren();
}
