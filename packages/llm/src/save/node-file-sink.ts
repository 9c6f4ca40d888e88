/**
 * Node-only: writes one file (a GGUF) to a temporary file beside the target and renames it into
 * place on {@link FileSink.commit}, so a failed or cancelled save never leaves a partial file where
 * a finished one is expected, and an existing file is never replaced unless asked.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { OutputSink } from './output-sink.js';

export class FileSink implements OutputSink {
  private written = false;

  private constructor(
    readonly target: string,
    readonly staging: string,
    private readonly overwrite: boolean,
  ) {}

  /** Chooses the temporary file; throws if `target` exists and `overwrite` is false. */
  static async create(target: string, { overwrite = false } = {}): Promise<FileSink> {
    if (!overwrite && (await stat(target).catch(() => undefined))) {
      throw new Error(
        `${target} already exists; choose another output file or allow overwriting (--force)`,
      );
    }
    const staging = join(
      dirname(target),
      `.${basename(target)}.partial-${randomBytes(4).toString('hex')}`,
    );
    return new FileSink(target, staging, overwrite);
  }

  /** Writes the one file; `name` is ignored (the target names it), a second file is refused. */
  async writeFile(
    _name: string,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<void> {
    if (this.written) throw new Error(`internal: FileSink ${this.target} takes one file only`);
    this.written = true;
    const file = await open(this.staging, 'wx');
    try {
      for await (const chunk of chunks) await file.write(chunk);
    } finally {
      await file.close();
    }
  }

  /** Moves the finished file into place (replacing an old one only when overwriting was allowed). */
  async commit(): Promise<void> {
    if (!this.overwrite && (await stat(this.target).catch(() => undefined))) {
      throw new Error(
        `${this.target} appeared while saving; the result is left in ${this.staging}`,
      );
    }
    await rename(this.staging, this.target);
  }

  /** Deletes the temporary file (after a failure or cancellation). */
  async abort(): Promise<void> {
    await rm(this.staging, { force: true });
  }
}
