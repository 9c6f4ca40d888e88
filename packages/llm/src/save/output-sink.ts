/**
 * Where a saved model's files go: a folder on disk in Node (save/node-directory-sink.ts), memory in
 * browsers (then offered as downloads). Files are written whole, one after the other; a sink that
 * can fail half-way (disk) only makes its output visible once everything is written.
 */
export interface OutputSink {
  /** Writes one file from chunks produced lazily (one tensor at a time). */
  writeFile(name: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void>;
}

/** Collects files in memory (browsers, tests). */
export class MemorySink implements OutputSink {
  readonly files = new Map<string, Uint8Array>();

  async writeFile(
    name: string,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<void> {
    const parts: Uint8Array[] = [];
    for await (const c of chunks) parts.push(c);
    const out = new Uint8Array(parts.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const c of parts) {
      out.set(c, at);
      at += c.byteLength;
    }
    this.files.set(name, out);
  }
}
