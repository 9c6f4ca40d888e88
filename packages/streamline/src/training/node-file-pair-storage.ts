/**
 * Node-only pair storage: each batch's input and target are appended to one temporary file and
 * read back by offset, so neither GPU nor process memory grows with the calibration data. The file
 * is deleted by dispose().
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PairStorage } from './pairs.js';

export class FilePairStorage implements PairStorage {
  private readonly index = new Map<number, { offset: number; length: number }>();
  private end = 0;

  private constructor(
    private readonly dir: string,
    private readonly file: FileHandle,
  ) {}

  static async create(parent = tmpdir()): Promise<FilePairStorage> {
    const dir = await mkdtemp(
      join(parent, `llm-streamline-pairs-${randomBytes(3).toString('hex')}-`),
    );
    return new FilePairStorage(dir, await open(join(dir, 'pairs.f32'), 'w+'));
  }

  async write(i: number, input: Float32Array, target: Float32Array): Promise<void> {
    if (input.length !== target.length)
      throw new RangeError(`pair batch ${i}: input and target sizes differ`);
    const offset = this.end;
    await this.file.write(
      new Uint8Array(input.buffer, input.byteOffset, input.byteLength),
      0,
      input.byteLength,
      offset,
    );
    await this.file.write(
      new Uint8Array(target.buffer, target.byteOffset, target.byteLength),
      0,
      target.byteLength,
      offset + input.byteLength,
    );
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
    await rm(this.dir, { recursive: true, force: true });
  }
}
