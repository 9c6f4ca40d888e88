/**
 * Signals, stale staging, full disk and read-only output, end to end as a user meets them:
 * `prune` through `npm run llm-streamline` (npm → scripts/run.mjs → the CLI) and through the bin,
 * stopped at seeded points of seeded stages (signal-runs.ts). Each run must exit with 128 + the
 * signal's number and leave no output folder, no staging folder, no temporary files (private
 * TMPDIR) and its inputs unchanged. A few runs here (~1–2 min); scripts/signal-figures.mts runs the
 * issue's full counts. LLMS_SIGNAL_SEED picks other points.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import {
  type Delivery,
  type Launch,
  launchCli,
  pruneArgs,
  seededPoint,
  signalRun,
} from './signal-runs.js';
import { mountTmpfs, remountReadOnly, unmount } from './tmpfs.js';

const SEED = Number(process.env.LLMS_SIGNAL_SEED ?? 17);

const CASES: [Launch, Delivery][] = [
  ['npm', 'SIGINT'],
  ['npm', 'SIGTERM'],
  ['npm', 'double-SIGINT'],
  ['bin', 'SIGTERM'],
  ['bin', 'SIGHUP'],
];

describe('prune stopped by a signal leaves nothing behind', () => {
  CASES.forEach(([launch, delivery], i) => {
    const point = seededPoint(SEED, i);
    it(`${launch}: ${delivery} ${point.delayMs} ms into ${point.stage}`, async () => {
      const r = await signalRun({ launch, delivery, ...point });
      const context = `${r.stderr.split('\n').slice(-4).join('\n')}`;
      expect(r.sent, context).toBe(true);
      expect(r.code, context).toBe(r.expectedCode);
      expect(r.outputExists).toBe(false);
      expect(r.leftovers).toEqual([]);
      expect(r.inputsUnchanged).toBe(true);
    });
  });
});

/** Resolves when `child`'s stderr matches `pattern`; rejects if it exits first. */
function stderrMatch(child: ChildProcess, pattern: RegExp): Promise<void> {
  let text = '';
  return new Promise((done, fail) => {
    child.stderr?.on('data', (d: Buffer) => {
      text += d.toString();
      if (pattern.test(text)) done();
    });
    child.on('exit', (code) => fail(new Error(`exited ${code} before ${pattern}:\n${text}`)));
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stdout?.resume();
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((done) => child.on('close', (code) => done({ code, stderr })));
}

describe('a run killed with SIGKILL', () => {
  it('leaves a staging folder and pair spill that the next run into the same parent removes', async () => {
    const root = await tempDir();
    const tmp = join(root, 'tmp');
    const parent = join(root, 'parent');
    await mkdir(tmp);
    await mkdir(parent);
    const out = join(parent, 'pruned');
    const killed = launchCli('bin', pruneArgs(out), { TMPDIR: tmp });
    await stderrMatch(killed, /^training/m);
    process.kill(-(killed.pid as number), 'SIGKILL');
    await new Promise((r) => killed.on('close', r));
    const ours = (names: string[]) => names.filter((n) => !/^tsx-\d+$/.test(n));
    const left = await readdir(parent);
    expect(left, left.join(', ')).toEqual([expect.stringMatching(/^\.pruned\.partial-/)]);
    // Training and validation pairs: one spill folder each.
    const spills = ours(await readdir(tmp));
    expect(spills.length).toBeGreaterThan(0);
    for (const n of spills) expect(n).toMatch(/^llm-streamline-pairs-/);

    const next = await exitOf(
      launchCli('bin', pruneArgs(out, { evaluate: false }), { TMPDIR: tmp }),
    );
    expect(next.code, next.stderr).toBe(0);
    expect(await readdir(parent)).toEqual(['pruned']);
    expect(ours(await readdir(tmp))).toEqual([]);
  });
});

describe('output preflight', () => {
  it('a full disk (4 MiB tmpfs) is reported before any compute, naming --out; nothing is left', async (ctx) => {
    const mnt = await tempDir();
    const why = mountTmpfs(mnt, '4m');
    if (why) return ctx.skip(why);
    try {
      const out = join(mnt, 'pruned');
      const run = await exitOf(launchCli('bin', ['prune', '--out', out], {}));
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(
          `^llm-streamline: cannot write --out ${out}: it needs about .* free \\(ENOSPC\\); nothing was computed — .*--out on another disk$`,
          'm',
        ),
      );
      expect(run.stderr).not.toMatch(/^scoring/m);
      expect(await readdir(mnt)).toEqual([]);
    } finally {
      unmount(mnt);
    }
  });

  it('a full TMPDIR while spilling training pairs: the message names it and the fix; nothing is left', async (ctx) => {
    const root = await tempDir();
    const tmp = join(root, 'tmp');
    const parent = join(root, 'parent');
    await mkdir(tmp);
    await mkdir(parent);
    const why = mountTmpfs(tmp, '64k');
    if (why) return ctx.skip(why);
    try {
      const args = pruneArgs(join(parent, 'pruned'), { evaluate: false });
      args.splice(args.indexOf('--training-blocks') + 1, 1, '64');
      const run = await exitOf(launchCli('bin', args, { TMPDIR: tmp }));
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(
        /^llm-streamline: cannot write the temporary training pairs .*: no space left on the device \(ENOSPC\) — .*TMPDIR/m,
      );
      expect(await readdir(parent)).toEqual([]);
      expect((await readdir(tmp)).filter((n) => n.startsWith('llm-streamline'))).toEqual([]);
    } finally {
      unmount(tmp);
    }
  });

  it('a read-only output folder: the message names --out and the reason, before loading', async (ctx) => {
    const mnt = await tempDir();
    const why = mountTmpfs(mnt, '1m');
    if (why) return ctx.skip(why);
    try {
      execFileSync('mkdir', [join(mnt, 'sub')]);
      remountReadOnly(mnt);
      const out = join(mnt, 'sub', 'pruned');
      const run = await exitOf(launchCli('bin', ['prune', '--out', out], {}));
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(
        `llm-streamline: cannot write --out ${out}: read-only file system (EROFS) (at ${join(mnt, 'sub')}) — choose --out on a writable disk`,
      );
      expect(existsSync(out)).toBe(false);
    } finally {
      unmount(mnt);
    }
  });
});
