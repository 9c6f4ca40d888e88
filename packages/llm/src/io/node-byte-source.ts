/**
 * Node-only ByteSource over a file on disk.
 *
 * Kept in its own module (imported dynamically by callers that may run in a
 * browser) because it needs `node:fs/promises`. Reads go through a FileHandle
 * at explicit positions, so a multi-gigabyte checkpoint is never loaded whole.
 */
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { assertReadRange, type ByteSource } from './byte-source.js';

/** Largest single `FileHandle.read` call; bigger requests are split. */
const MAX_READ_PIECE = 64 * 1024 * 1024;

/**
 * Opens `path` for random-access reading. Call `close()` when done.
 * @param name name used in error messages; defaults to the file's base name.
 */
export async function openFileByteSource(
  path: string,
  name: string = basename(path),
): Promise<ByteSource> {
  const handle = await open(path, 'r');
  const { size, mtimeMs } = await handle.stat();
  let closed = false;
  const source: ByteSource = {
    name,
    size,
    async read(offset, length) {
      assertReadRange(source, offset, length);
      if (closed) throw new Error(`${name}: read after close`);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const piece = Math.min(MAX_READ_PIECE, length - done);
        const { bytesRead } = await handle.read(out, done, piece, offset + done);
        if (bytesRead === 0) {
          throw new Error(
            `${name}: unexpected end of file reading bytes [${offset}, ${offset + length}) (file shrank?)`,
          );
        }
        done += bytesRead;
      }
      // A checkpoint streamed layer by layer is read for as long as the run lasts: bytes from a
      // file rewritten since it was opened would be silently wrong weights, so check every read.
      const now = await handle.stat();
      if (now.size !== size || now.mtimeMs !== mtimeMs) {
        throw new Error(
          `${name}: the file changed while it was being read (opened at ${size} bytes, modified ${new Date(mtimeMs).toISOString()}; now ${now.size} bytes, modified ${new Date(now.mtimeMs).toISOString()}). Run again on a file that stays unchanged.`,
        );
      }
      return out;
    },
    async close() {
      if (!closed) {
        closed = true;
        await handle.close();
      }
    },
  };
  return source;
}
