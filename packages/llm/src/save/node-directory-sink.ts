/**
 * Node-only: writes files into a staging folder beside the target and renames it into place when
 * {@link DirectorySink.commit} is called, so a failed or cancelled save never leaves a partial model
 * where a finished one is expected, and an existing folder is never overwritten unless asked.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { OutputSink } from './output-sink.js';

export class DirectorySink implements OutputSink {
  private constructor(
    readonly target: string,
    readonly staging: string,
    private readonly overwrite: boolean,
  ) {}

  /** Prepares a staging folder; throws if `target` exists and `overwrite` is false. */
  static async create(target: string, { overwrite = false } = {}): Promise<DirectorySink> {
    if (!overwrite && (await stat(target).catch(() => undefined))) {
      throw new Error(
        `${target} already exists; choose another output folder or allow overwriting (--force)`,
      );
    }
    const staging = join(
      dirname(target),
      `.${basename(target)}.partial-${randomBytes(4).toString('hex')}`,
    );
    await mkdir(staging, { recursive: true });
    return new DirectorySink(target, staging, overwrite);
  }

  async writeFile(
    name: string,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<void> {
    const file = await open(join(this.staging, name), 'w');
    try {
      for await (const chunk of chunks) await file.write(chunk);
    } finally {
      await file.close();
    }
  }

  /** Moves the finished folder into place (replacing the old one only when overwriting was allowed). */
  async commit(): Promise<void> {
    if (this.overwrite) await rm(this.target, { recursive: true, force: true });
    else if (await stat(this.target).catch(() => undefined)) {
      throw new Error(
        `${this.target} appeared while saving; the result is left in ${this.staging}`,
      );
    }
    await rename(this.staging, this.target);
  }

  /** Deletes the staging folder (after a failure or cancellation). */
  async abort(): Promise<void> {
    await rm(this.staging, { recursive: true, force: true });
  }
}
