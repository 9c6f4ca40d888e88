/**
 * Node-only: writes files into a staging folder beside the target and renames it into place when
 * {@link DirectorySink.commit} is called, so a failed or cancelled save never leaves a partial model
 * where a finished one is expected, and an existing folder is never overwritten unless asked.
 * The staging folder, `.<target>.partial-<host>-<pid>-<random>`, is an owned folder
 * (node-owned-folders.ts): removed at any exit of this process, and by the next sink created in
 * the same parent if this process was killed before it could.
 */
import { open, rename, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { withPath } from '../io/node-error-path.js';
import {
  createOwnedFolder,
  ownedName,
  registerTemporaryPath,
  releaseTemporaryPath,
  removeOwnedFolder,
} from '../io/node-owned-folders.js';
import type { OutputSink } from './output-sink.js';

/**
 * Any output's staging folder, `.<name>.partial-`, or an old output set aside while it was being
 * replaced, `.<name>.replaced-`, before the owner part of the name.
 */
const STAGING_PATTERN = String.raw`\..+\.(?:partial|replaced)-`;

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

  /**
   * Moves the finished folder into place. An existing target (only when overwriting was allowed)
   * is first renamed aside and deleted only once the new folder is in place, so a failure in
   * between puts it back instead of leaving neither.
   */
  async commit(): Promise<void> {
    const existing = await stat(this.target).catch(() => undefined);
    if (existing && !this.overwrite) {
      releaseTemporaryPath(this.staging); // kept, as the message says
      throw new Error(
        `${this.target} appeared while saving; the result is left in ${this.staging}`,
      );
    }
    if (!existing) {
      await rename(this.staging, this.target);
      releaseTemporaryPath(this.staging);
      return;
    }
    const aside = join(dirname(this.target), ownedName(`.${basename(this.target)}.replaced-`));
    await rename(this.target, aside);
    try {
      await rename(this.staging, this.target);
    } catch (e) {
      await rename(aside, this.target);
      throw e;
    }
    releaseTemporaryPath(this.staging);
    registerTemporaryPath(aside);
    await removeOwnedFolder(aside);
  }

  /** Deletes the staging folder (after a failure or cancellation). */
  async abort(): Promise<void> {
    await removeOwnedFolder(this.staging);
  }
}
