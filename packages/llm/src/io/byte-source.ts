/**
 * Random-access byte sources.
 *
 * Model files can be larger than what a browser tab may hold in one
 * ArrayBuffer, so every parser here reads through this interface and asks only
 * for the ranges it needs. Implementations exist for in-memory bytes and for
 * Blob/File (both environments); the Node file implementation lives in
 * `node-byte-source.ts` so that browser bundles never see `node:` imports.
 */

/** Random-access, read-only view of a file-like object. */
export interface ByteSource {
  /** Human-readable name (file name or path) used in every error message. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Reads exactly `length` bytes starting at `offset`.
   * Rejects with an error naming the source and the range when the range is
   * not inside `[0, size]`. The returned array may be a view into a larger
   * buffer; do not assume its `byteOffset` is 0 or aligned.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Releases underlying resources (file handles). Optional. */
  close?(): Promise<void>;
}

/**
 * Throws when `[offset, offset + length)` is not a valid range of `source`.
 * Shared by all implementations so the message format is uniform.
 */
export function assertReadRange(
  source: Pick<ByteSource, 'name' | 'size'>,
  offset: number,
  length: number,
): void {
  const valid =
    Number.isSafeInteger(offset) &&
    Number.isSafeInteger(length) &&
    offset >= 0 &&
    length >= 0 &&
    offset + length <= source.size;
  if (!valid) {
    throw new RangeError(
      `${source.name}: cannot read bytes [${offset}, ${offset + length}) — the file has ${source.size} bytes`,
    );
  }
}

/** A ByteSource over bytes already in memory. Reads return views (no copy). */
export function bytesByteSource(bytes: Uint8Array, name: string): ByteSource {
  const source: ByteSource = {
    name,
    size: bytes.byteLength,
    async read(offset, length) {
      assertReadRange(source, offset, length);
      return bytes.subarray(offset, offset + length);
    },
  };
  return source;
}

/**
 * A ByteSource over a Blob or File (browser file pickers, `fetch().blob()`,
 * Node's `fs.openAsBlob`). Only the requested slice is materialised.
 */
export function blobByteSource(blob: Blob, name?: string): ByteSource {
  const sourceName =
    name ?? (typeof (blob as File).name === 'string' ? (blob as File).name : 'blob');
  const source: ByteSource = {
    name: sourceName,
    size: blob.size,
    async read(offset, length) {
      assertReadRange(source, offset, length);
      try {
        const buffer = await blob.slice(offset, offset + length).arrayBuffer();
        return new Uint8Array(buffer);
      } catch (e) {
        // Browsers refuse to read a File changed or removed since it was picked (NotReadableError).
        throw new Error(
          `${sourceName}: cannot read bytes [${offset}, ${offset + length}): ${e instanceof Error ? e.message : String(e)} (was the file changed or removed after it was chosen?)`,
          { cause: e },
        );
      }
    },
  };
  return source;
}

/** Reads the whole source into memory. Meant for small files (JSON, tokenizers). */
export async function readAllBytes(source: ByteSource): Promise<Uint8Array> {
  return source.read(0, source.size);
}

/** Reads the whole source and decodes it as UTF-8 text. */
export async function readAllText(source: ByteSource): Promise<string> {
  return new TextDecoder('utf-8').decode(await readAllBytes(source));
}
