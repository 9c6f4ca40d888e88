/**
 * FileSink (Node): the file appears only on commit, whole; a write that fails half-way and is
 * aborted leaves neither the file nor its temporary; an existing file is kept unless overwriting.
 */
import { testRuntime } from '@llm-streamline/test-utils';
import { afterAll, describe, expect, it } from 'vitest';

const made: string[] = [];

describe.skipIf(testRuntime !== 'node')('FileSink', () => {
  afterAll(async () => {
    const { rm } = await import('node:fs/promises');
    for (const dir of made) await rm(dir, { recursive: true, force: true });
  });

  async function scratch(): Promise<{
    dir: string;
    target: string;
    list: () => Promise<string[]>;
  }> {
    const { mkdtemp, readdir } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'file-sink-'));
    made.push(dir);
    return { dir, target: join(dir, 'out.gguf'), list: async () => (await readdir(dir)).sort() };
  }

  it('writes to a temporary file and renames it into place on commit', async () => {
    const { FileSink } = await import('../src/save/node-file-sink.js');
    const { readFile } = await import('node:fs/promises');
    const { target, list } = await scratch();
    const sink = await FileSink.create(target);
    await sink.writeFile('ignored', [Uint8Array.of(1, 2), Uint8Array.of(3)]);
    expect(await list()).toEqual([expect.stringMatching(/^\.out\.gguf\.partial-[0-9a-f]{8}$/)]);
    await sink.commit();
    expect(await list()).toEqual(['out.gguf']);
    expect([...(await readFile(target))]).toEqual([1, 2, 3]);
  });

  it('leaves nothing after a failure half-way and abort', async () => {
    const { FileSink } = await import('../src/save/node-file-sink.js');
    const { list, target } = await scratch();
    const sink = await FileSink.create(target);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Uint8Array.of(1);
      throw new Error('cancelled');
    }
    await expect(sink.writeFile('x', failing())).rejects.toThrow('cancelled');
    await sink.abort();
    expect(await list()).toEqual([]);
  });

  it('keeps an existing file unless overwriting is allowed', async () => {
    const { FileSink } = await import('../src/save/node-file-sink.js');
    const { readFile, writeFile } = await import('node:fs/promises');
    const { target } = await scratch();
    await writeFile(target, 'mine');
    await expect(FileSink.create(target)).rejects.toThrow(
      `${target} already exists; choose another output file or allow overwriting (--force)`,
    );
    const sink = await FileSink.create(target, { overwrite: true });
    await sink.writeFile('x', [Uint8Array.of(7)]);
    expect(await readFile(target, 'utf8')).toBe('mine');
    await sink.commit();
    expect([...(await readFile(target))]).toEqual([7]);
  });
});
