/**
 * Node-only: the disk scenarios of issue 17, shared by signals.test.ts (which asserts each part)
 * and scripts/signal-figures.mts (which counts them): a SIGKILL then a new run into the same
 * parent; a full disk under --out; a full TMPDIR while spilling pairs; a read-only --out. Each
 * cleans up its folders and mounts, and says whether everything the issue asks for held (`ok`).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Launch, launchCli, pruneArgs } from './signal-runs.js';
import { mountTmpfs, remountReadOnly, unmount } from './tmpfs.js';

/** Resolves when `child`'s stderr matches `pattern`; rejects if it exits first. */
export function stderrMatch(child: ChildProcess, pattern: RegExp): Promise<void> {
  let text = '';
  return new Promise((done, fail) => {
    child.stderr?.on('data', (d: Buffer) => {
      text += d.toString();
      if (pattern.test(text)) done();
    });
    child.on('exit', (code) => fail(new Error(`exited ${code} before ${pattern}:\n${text}`)));
  });
}

/** The exit code and stderr of `child`. */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stdout?.resume();
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((done) => child.on('close', (code) => done({ code, stderr })));
}

/**
 * Waits (up to 10 s) until no process of the group `pgid` is left: a SIGKILLed grandchild (the CLI
 * under npm) can take a moment to die after npm did. A zombie left unreaped keeps the group
 * "existing" until the timeout; the stale-folder check does not count zombies as running.
 */
async function groupGone(pgid: number): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Entries of a private TMPDIR that are ours (tsx keeps its compile cache there too). */
function ours(names: string[]): string[] {
  return names.filter((n) => !/^tsx-\d+$/.test(n));
}

async function privateFolders(): Promise<{ root: string; tmp: string; parent: string }> {
  const root = await mkdtemp(join(tmpdir(), 'llms-scenario-'));
  const tmp = join(root, 'tmp');
  const parent = join(root, 'parent');
  await mkdir(tmp);
  await mkdir(parent);
  return { root, tmp, parent };
}

export interface KillThenRerun {
  /** What the killed run left: the output's parent, and TMPDIR. */
  afterKill: { parent: string[]; tmp: string[] };
  rerun: { code: number | null; stderr: string };
  /** What is there after the next run into the same parent, with the same TMPDIR. */
  afterRerun: { parent: string[]; tmp: string[] };
  ok: boolean;
}

/** `prune` killed with SIGKILL in training (staging and pair spill exist), then run again. */
export async function killThenRerun(launch: Launch): Promise<KillThenRerun> {
  const { root, tmp, parent } = await privateFolders();
  try {
    const out = join(parent, 'pruned');
    const killed = launchCli(launch, pruneArgs(out), { TMPDIR: tmp });
    await stderrMatch(killed, /^training/m);
    process.kill(-(killed.pid as number), 'SIGKILL');
    await new Promise((r) => killed.on('close', r));
    await groupGone(killed.pid as number);
    const afterKill = { parent: await readdir(parent), tmp: ours(await readdir(tmp)) };
    const rerun = await exitOf(
      launchCli(launch, pruneArgs(out, { evaluate: false }), { TMPDIR: tmp }),
    );
    const afterRerun = { parent: await readdir(parent), tmp: ours(await readdir(tmp)) };
    const ok =
      afterKill.parent.length === 1 &&
      /^\.pruned\.partial-/.test(afterKill.parent[0] as string) &&
      afterKill.tmp.length > 0 &&
      afterKill.tmp.every((n) => n.startsWith('llm-streamline-pairs-')) &&
      rerun.code === 0 &&
      afterRerun.parent.join() === 'pruned' &&
      afterRerun.tmp.length === 0;
    return { afterKill, rerun, afterRerun, ok };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export interface DiskRun {
  /** Why the scenario could not run (no tmpfs), if so. */
  skipped?: string;
  code?: number | null;
  stderr?: string;
  /** The --out given. */
  out?: string;
  /** Entries of ours left in the mount (output parent or TMPDIR) afterwards. */
  left?: string[];
  ok: boolean;
}

/** `prune` of the bundled model with --out on a 4 MiB tmpfs: refused before compute. */
export async function fullDiskRun(launch: Launch): Promise<DiskRun> {
  const { root } = await privateFolders();
  const mnt = join(root, 'mnt');
  await mkdir(mnt);
  const skipped = mountTmpfs(mnt, '4m');
  if (skipped) {
    await rm(root, { recursive: true, force: true });
    return { skipped, ok: false };
  }
  try {
    const out = join(mnt, 'pruned');
    const { code, stderr } = await exitOf(launchCli(launch, ['prune', '--out', out], {}));
    const left = await readdir(mnt);
    const line = new RegExp(
      `^llm-streamline: cannot write --out ${out}: it needs about .* free \\(ENOSPC\\); nothing was computed — .*--out on another disk$`,
      'm',
    );
    const ok = code === 1 && line.test(stderr) && !/^scoring/m.test(stderr) && left.length === 0;
    return { code, stderr, out, left, ok };
  } finally {
    unmount(mnt);
    await rm(root, { recursive: true, force: true });
  }
}

/** `prune` with TMPDIR on a 64 KiB tmpfs: the pair spill fills it mid-run. */
export async function fullTmpdirRun(launch: Launch): Promise<DiskRun> {
  const { root, tmp, parent } = await privateFolders();
  const skipped = mountTmpfs(tmp, '64k');
  if (skipped) {
    await rm(root, { recursive: true, force: true });
    return { skipped, ok: false };
  }
  try {
    const out = join(parent, 'pruned');
    const args = pruneArgs(out, { evaluate: false });
    args.splice(args.indexOf('--training-blocks') + 1, 1, '64');
    const { code, stderr } = await exitOf(launchCli(launch, args, { TMPDIR: tmp }));
    const left = [
      ...(await readdir(parent)),
      ...(await readdir(tmp)).filter((n) => n.startsWith('llm-streamline')),
    ];
    const line =
      /^llm-streamline: cannot write the temporary training pairs .*: no space left on the device \(ENOSPC\) — .*TMPDIR/m;
    const ok = code === 1 && line.test(stderr) && left.length === 0;
    return { code, stderr, out, left, ok };
  } finally {
    unmount(tmp);
    await rm(root, { recursive: true, force: true });
  }
}

/** `prune` with --out in a folder of a read-only tmpfs: refused before loading. */
export async function readOnlyRun(launch: Launch): Promise<DiskRun> {
  const { root } = await privateFolders();
  const mnt = join(root, 'mnt');
  await mkdir(mnt);
  const skipped = mountTmpfs(mnt, '1m');
  if (skipped) {
    await rm(root, { recursive: true, force: true });
    return { skipped, ok: false };
  }
  try {
    await mkdir(join(mnt, 'sub'));
    remountReadOnly(mnt);
    const out = join(mnt, 'sub', 'pruned');
    const { code, stderr } = await exitOf(launchCli(launch, ['prune', '--out', out], {}));
    const expected = `llm-streamline: cannot write --out ${out}: read-only file system (EROFS) (at ${join(mnt, 'sub')}) — choose --out on a writable disk`;
    const ok =
      code === 1 &&
      stderr.includes(expected) &&
      !/^loading/m.test(stderr) &&
      !existsSync(out) &&
      (await readdir(join(mnt, 'sub'))).length === 0;
    return { code, stderr, out, left: await readdir(join(mnt, 'sub')), ok };
  } finally {
    unmount(mnt);
    await rm(root, { recursive: true, force: true });
  }
}
