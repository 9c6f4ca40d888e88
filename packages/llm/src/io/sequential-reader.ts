/**
 * Buffered little-endian cursor over a ByteSource.
 *
 * Header formats (GGUF metadata, llama2.c tokenizers) are long runs of tiny
 * fields. Issuing one async read per field would be slow, so this reader
 * pulls chunks and decodes fields synchronously from the buffer; callers
 * `await reader.need(n)` before decoding `n` bytes. Running off the end of
 * the source raises an error that names the file and what was being read.
 */
import type { ByteSource } from './byte-source.js';

const DEFAULT_CHUNK = 1 << 20;
const utf8 = new TextDecoder('utf-8');

export class SequentialReader {
  private buffer = new Uint8Array(0);
  private view = new DataView(this.buffer.buffer);
  /** Absolute file offset of `buffer[0]`. */
  private bufferStart = 0;
  /** Absolute file offset of the cursor. */
  private cursor: number;

  constructor(
    readonly source: ByteSource,
    start = 0,
    private readonly chunkSize = DEFAULT_CHUNK,
  ) {
    this.cursor = start;
    this.bufferStart = start;
  }

  /** Absolute offset of the next byte to be decoded. */
  get position(): number {
    return this.cursor;
  }

  /** Bytes left in the source after the cursor. */
  get remaining(): number {
    return this.source.size - this.cursor;
  }

  /**
   * Ensures `n` bytes after the cursor are buffered.
   * @param what description of the field, used in the truncation error.
   */
  async need(n: number, what: string): Promise<void> {
    const bufferedAfterCursor = this.bufferStart + this.buffer.byteLength - this.cursor;
    if (bufferedAfterCursor >= n) return;
    if (n > this.remaining) {
      throw new Error(
        `${this.source.name}: file is truncated — reading ${what} needs ${n} bytes at offset ${this.cursor}, ` +
          `but only ${this.remaining} remain (file size ${this.source.size})`,
      );
    }
    const length = Math.min(Math.max(n, this.chunkSize), this.remaining);
    const bytes = await this.source.read(this.cursor, length);
    // Copy so the DataView starts at an owned buffer regardless of source views.
    this.buffer = bytes.slice();
    this.view = new DataView(this.buffer.buffer);
    this.bufferStart = this.cursor;
  }

  private take(n: number): number {
    const at = this.cursor - this.bufferStart;
    if (at < 0 || at + n > this.buffer.byteLength) {
      throw new Error(
        `internal: SequentialReader.take(${n}) without need() at offset ${this.cursor}`,
      );
    }
    this.cursor += n;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.take(1));
  }
  i8(): number {
    return this.view.getInt8(this.take(1));
  }
  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }
  i16(): number {
    return this.view.getInt16(this.take(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }
  i32(): number {
    return this.view.getInt32(this.take(4), true);
  }
  f32(): number {
    return this.view.getFloat32(this.take(4), true);
  }
  f64(): number {
    return this.view.getFloat64(this.take(8), true);
  }
  u64(): bigint {
    return this.view.getBigUint64(this.take(8), true);
  }
  i64(): bigint {
    return this.view.getBigInt64(this.take(8), true);
  }

  /** Reads a u64 that must fit in a JS number (sizes, counts, offsets). */
  u64AsNumber(what: string): number {
    const at = this.cursor;
    const value = this.u64();
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new Error(`${this.source.name}: ${what} at offset ${at} is too large (${value})`);
    }
    return Number(value);
  }

  /** Copies `n` raw bytes (must have been `need`ed). */
  bytes(n: number): Uint8Array<ArrayBuffer> {
    const at = this.take(n);
    return this.buffer.slice(at, at + n);
  }

  /** Decodes `n` bytes as UTF-8 (must have been `need`ed). */
  utf8(n: number): string {
    const at = this.take(n);
    return utf8.decode(this.buffer.subarray(at, at + n));
  }

  /** Moves the cursor without reading (forward or backward). */
  seek(position: number): void {
    this.cursor = position;
  }
}
