/**
 * Node-only pair storage: each batch's input and target are appended to one temporary file and
 * read back by offset, so neither GPU nor process memory grows with the calibration data. The file
 * is deleted by dispose(). Its folder, `llm-streamline-pairs-<host>-<pid>-<random>`, is an owned
 * folder (see createOwnedFolder): removed at any exit of the process, and by the next run if the
 * process was killed before it could.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOwnedFolder, removeOwnedFolder, withPath } from '@llm-streamline/llm/node';
import type { PairStorage } from './pairs.js';

export class FilePairStorage implements PairStorage {
  private readonly index = new Map<number, { offset: number; length: number }>();
  private end = 0;

  private constructor(
    private readonly dir: string,
    private readonly file: FileHandle,
  ) {}

  private get path(): string {
    return join(this.dir, 'pairs.f32');
  }

  static async create(parent = tmpdir()): Promise<FilePairStorage> {
    const dir = await createOwnedFolder(parent, 'llm-streamline-pairs-');
    return new FilePairStorage(dir, await open(join(dir, 'pairs.f32'), 'w+'));
  }

  async write(i: number, input: Float32Array, target: Float32Array): Promise<void> {
    if (input.length !== target.length)
      throw new RangeError(`pair batch ${i}: input and target sizes differ`);
    const offset = this.end;
    await this.file
      .write(
        new Uint8Array(input.buffer, input.byteOffset, input.byteLength),
        0,
        input.byteLength,
        offset,
      )
      .catch(withPath(this.path));
    await this.file
      .write(
        new Uint8Array(target.buffer, target.byteOffset, target.byteLength),
        0,
        target.byteLength,
        offset + input.byteLength,
      )
      .catch(withPath(this.path));
    this.end += input.byteLength * 2;
    this.index.set(i, { offset, length: input.length });
  }

  async read(i: number): Promise<{ input: Float32Array; target: Float32Array }> {
    const entry = this.index.get(i);
    if (!entry) throw new RangeError(`pair batch ${i} was never stored`);
    const bytes = new Uint8Array(entry.length * 8);
    await this.file.read(bytes, 0, bytes.byteLength, entry.offset);
    return {
      input: new Float32Array(bytes.buffer, 0, entry.length),
      target: new Float32Array(bytes.buffer, entry.length * 4, entry.length),
    };
  }

  async dispose(): Promise<void> {
    await this.file.close().catch(() => undefined);
    await removeOwnedFolder(this.dir);
  }
}
