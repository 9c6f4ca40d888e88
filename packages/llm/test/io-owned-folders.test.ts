/**
 * Node-only: owned temporary folders. Names carry host and PID; a folder whose owner on this host
 * is gone is removed by the next creation in the same parent, and nothing else is; registered
 * folders go at exit, synchronously; a DirectorySink's staging folder is one of them.
 */
import { testRuntime } from '@llm-streamline/test-utils';
import { describe, expect, it } from 'vitest';

describe.skipIf(testRuntime !== 'node')('Node: owned temporary folders', () => {
  /** The PID of a process that has exited (spawned, waited for). */
  async function deadPid(): Promise<number> {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((done) => child.on('exit', done));
    return child.pid as number;
  }

  async function tempParent(): Promise<string> {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    return mkdtemp(join(tmpdir(), 'llms-owned-'));
  }

  it('names carry host and PID; ownerOf reads them back and rejects other names', async () => {
    const { HOST_TAG, ownedName, ownerOf } = await import('../src/io/node-owned-folders.js');
    const name = ownedName('.out.partial-', 4242);
    expect(name).toMatch(new RegExp(`^\\.out\\.partial-${HOST_TAG}-4242-[0-9a-f]{8}$`));
    expect(ownerOf(name, /\..+\.partial-/)).toEqual({ host: HOST_TAG, pid: 4242 });
    expect(ownerOf('.out.partial-1a2b3c4d', /\..+\.partial-/)).toBeUndefined(); // old, ownerless
    expect(ownerOf('out.partial-0000000a-1-00000000', /\..+\.partial-/)).toBeUndefined();
  });

  it('a zombie (exited, not reaped) does not count as running; a live process does', async (ctx) => {
    const { existsSync } = await import('node:fs');
    if (!existsSync('/proc/self/stat')) return ctx.skip('no /proc on this system');
    const { spawn } = await import('node:child_process');
    const { processIsRunning } = await import('../src/io/node-owned-folders.js');
    // `sleep 0` exits at once; its parent becomes `sleep 3`, which never reaps it.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 3']);
    const zombie = Number(
      await new Promise<string>((r) => parent.stdout.once('data', (d) => r(String(d)))),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(processIsRunning(zombie)).toBe(false);
    expect(processIsRunning(parent.pid as number)).toBe(true);
    parent.kill();
  });

  it('removes a stale folder of a dead owner on this host, keeps live, foreign and unrelated ones', async () => {
    const { mkdir, readdir, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { createOwnedFolder, HOST_TAG, removeOwnedFolder } = await import(
      '../src/io/node-owned-folders.js'
    );
    const parent = await tempParent();
    const dead = await deadPid();
    const stale = `.a.partial-${HOST_TAG}-${dead}-0123abcd`;
    const live = `.b.partial-${HOST_TAG}-1-0123abcd`; // PID 1 always runs
    const foreign = `.c.partial-${HOST_TAG === 'ffffffff' ? 'eeeeeeee' : 'ffffffff'}-${dead}-0123abcd`;
    const ownerless = '.d.partial-0123abcd';
    const user = 'my-folder';
    for (const n of [stale, live, foreign, ownerless, user]) await mkdir(join(parent, n));
    const made = await createOwnedFolder(parent, '.e.partial-', {
      stalePattern: String.raw`\..+\.partial-`,
    });
    expect((await readdir(parent)).sort()).toEqual(
      [live, foreign, ownerless, user, made.slice(parent.length + 1)].sort(),
    );
    await removeOwnedFolder(made);
    await rm(parent, { recursive: true });
  });

  it('removes registered folders at exit, also on process.exit and an uncaught error', async () => {
    const { spawn } = await import('node:child_process');
    const { readdir, rm } = await import('node:fs/promises');
    const { fileURLToPath } = await import('node:url');
    const module = fileURLToPath(new URL('../src/io/node-owned-folders.ts', import.meta.url));
    for (const ending of ['process.exit(3)', 'throw new Error("boom")', 'undefined']) {
      const parent = await tempParent();
      const script =
        `const m = await import(${JSON.stringify(module)});` +
        `const p = await m.createOwnedFolder(${JSON.stringify(parent)}, 'x-');` +
        `const { readdirSync } = await import('node:fs');` +
        `if (readdirSync(${JSON.stringify(parent)}).length !== 1) process.exit(9);` +
        `${ending};`;
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        {
          stdio: 'ignore',
        },
      );
      const code = await new Promise((done) => child.on('exit', done));
      expect(code, ending).not.toBe(9);
      expect(await readdir(parent), ending).toEqual([]);
      await rm(parent, { recursive: true });
    }
  });

  it("a DirectorySink's staging folder is owned: swept when stale, released on commit", async () => {
    const { mkdir, readdir, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { HOST_TAG, temporaryPaths } = await import('../src/io/node-owned-folders.js');
    const { DirectorySink } = await import('../src/save/node-directory-sink.js');
    const parent = await tempParent();
    const stale = join(parent, `.out.partial-${HOST_TAG}-${await deadPid()}-0123abcd`);
    await mkdir(stale);
    const sink = await DirectorySink.create(join(parent, 'out'));
    expect(await readdir(parent)).toEqual([sink.staging.slice(parent.length + 1)]);
    expect(temporaryPaths()).toContain(sink.staging);
    await sink.writeFile('a.txt', [new TextEncoder().encode('a')]);
    await sink.commit();
    expect(temporaryPaths()).not.toContain(sink.staging);
    expect(await readdir(parent)).toEqual(['out']);
    await rm(parent, { recursive: true });
  });

  it('overwriting commit replaces the old folder and leaves nothing aside; a target that appeared keeps the staging', async () => {
    const { mkdir, readdir, readFile, rm, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { temporaryPaths } = await import('../src/io/node-owned-folders.js');
    const { DirectorySink } = await import('../src/save/node-directory-sink.js');
    const parent = await tempParent();
    const out = join(parent, 'out');
    await mkdir(out);
    await writeFile(join(out, 'old.txt'), 'old');
    const sink = await DirectorySink.create(out, { overwrite: true });
    await sink.writeFile('new.txt', [new TextEncoder().encode('new')]);
    await sink.commit();
    expect(await readdir(parent)).toEqual(['out']);
    expect(await readdir(out)).toEqual(['new.txt']);
    expect(await readFile(join(out, 'new.txt'), 'utf8')).toBe('new');

    const other = join(parent, 'other');
    const late = await DirectorySink.create(other);
    await mkdir(other); // appears while saving
    await expect(late.commit()).rejects.toThrow(/appeared while saving; the result is left in/);
    expect(temporaryPaths()).not.toContain(late.staging); // kept, as the message says
    expect((await readdir(parent)).sort()).toEqual(
      [late.staging.slice(parent.length + 1), 'other', 'out'].sort(),
    );
    await rm(parent, { recursive: true });
  });
});
