/**
 * Node-only: writes files into a staging folder beside the target and renames it into place when
 * {@link DirectorySink.commit} is called, so a failed or cancelled save never leaves a partial model
 * where a finished one is expected, and an existing folder is never overwritten unless asked.
 * The staging folder, `.<target>.partial-<host>-<pid>-<random>`, is an owned folder
 * (node-owned-folders.ts): removed at any exit of this process, and by the next sink created in
 * the same parent if this process was killed before it could.
 */
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { withPath } from '../io/node-error-path.js';
import {
  createOwnedFolder,
  releaseTemporaryPath,
  removeOwnedFolder,
} from '../io/node-owned-folders.js';
import type { OutputSink } from './output-sink.js';

/** Any output's staging folder, `.<name>.partial-`, before the owner part of the name. */
const STAGING_PATTERN = String.raw`\..+\.partial-`;

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
    const staging = await createOwnedFolder(dirname(target), `.${basename(target)}.partial-`, {
      stalePattern: STAGING_PATTERN,
      recursive: true,
    });
    return new DirectorySink(target, staging, overwrite);
  }

  async writeFile(
    name: string,
    chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  ): Promise<void> {
    const path = join(this.staging, name);
    const file = await open(path, 'w');
    try {
      for await (const chunk of chunks) await file.write(chunk).catch(withPath(path));
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
    releaseTemporaryPath(this.staging);
  }

  /** Deletes the staging folder (after a failure or cancellation). */
  async abort(): Promise<void> {
    await removeOwnedFolder(this.staging);
  }
}
