/**
 * Node-only harness for the signal tests (signals.test.ts) and their long version
 * (scripts/signal-figures.mts): starts `prune` on stories260K with tiny budgets the way a user does
 * — through `npm run llm-streamline` (npm → scripts/run.mjs → the CLI) or through the installed
 * bin — sends signals at a seeded point of a seeded stage, and reports what was left behind.
 *
 * Each run has a private TMPDIR and a private output parent, so "no temporary files" and "no
 * staging folder" are exact: both must be empty afterwards (but for tsx's compile cache, which
 * tsx keeps in TMPDIR on purpose). Inputs are hashed before and after.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from '@llm-streamline/test-utils/paths';
import { applyWebGPUEnv } from '../../../scripts/webgpu-env.mjs';

export const STORIES_DIR = resolve(repoRoot, 'apps/cli/assets/stories260K');
export const CALIBRATION = resolve(repoRoot, 'apps/cli/assets/text/tinystories-calibration.txt');
const CLI_SOURCE = resolve(repoRoot, 'apps/cli/src/main.ts');
/** What npm installs as the `llm-streamline` bin (apps/cli/dist/main.js, after a build). */
export const INSTALLED_BIN = resolve(repoRoot, 'node_modules/.bin/llm-streamline');

/** Stages of `prune` whose progress lines mark the points a signal is sent at. */
export const STAGES = ['loading', 'scoring', 'pairs', 'training', 'evaluation'] as const;
export type Stage = (typeof STAGES)[number];

/** What is sent: one signal, or two SIGINTs (a user pressing Ctrl-C twice). */
export type Delivery = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'double-SIGINT';

/** How the CLI is started: `npm run llm-streamline`, or the bin (node running it directly). */
export type Launch = 'npm' | 'bin';

export interface SignalRunOptions {
  launch: Launch;
  delivery: Delivery;
  /** The stage whose first progress line starts the clock. */
  stage: Stage;
  /** Milliseconds after that line before the (first) signal. */
  delayMs: number;
}

export interface SignalRunResult extends SignalRunOptions {
  code: number | null;
  signal: NodeJS.Signals | null;
  expectedCode: number;
  /** Whether the stage was reached and the signal sent while the run was going. */
  sent: boolean;
  /** Whether the CLI acknowledged the (first) signal ("stopping…"): it came before the end. */
  acknowledged: boolean;
  /** Whether a second SIGINT was delivered while the process still ran. */
  secondSent: boolean;
  outputExists: boolean;
  /** Entries left in the output's parent (staging folders) and in the private TMPDIR. */
  leftovers: string[];
  inputsUnchanged: boolean;
  stderr: string;
  /** Whether everything the issue asks for holds. */
  ok: boolean;
}

/** Exit code for each delivery: 128 + the signal's number. */
export const EXPECTED_CODE: Record<Delivery, number> = {
  SIGINT: 130,
  'double-SIGINT': 130,
  SIGTERM: 143,
  SIGHUP: 129,
};

/**
 * How "the bin" is run: with LLMS_SIGNAL_BIN=installed, what npm installs as the `llm-streamline`
 * bin (apps/cli/dist/main.js: run `npm run build` first, or it is stale); otherwise the same
 * main.ts from source, without the launcher (what CI does, as it does not build).
 */
export function binCommand(): string[] {
  if (process.env.LLMS_SIGNAL_BIN === 'installed') {
    if (!existsSync(resolve(repoRoot, 'apps/cli/dist/main.js')))
      throw new Error(
        'LLMS_SIGNAL_BIN=installed: apps/cli/dist/main.js is missing; run npm run build',
      );
    return [INSTALLED_BIN];
  }
  return ['--conditions=@llm-streamline/source', '--import', 'tsx', CLI_SOURCE];
}

/**
 * Tiny budgets: a whole run is ~10 s on SwiftShader. Evaluation, the last stage before the quick
 * export, gets 32 blocks so that a signal up to 400 ms into it still lands before the export.
 */
export function pruneArgs(out: string, { evaluate = true } = {}): string[] {
  return [
    'prune',
    join(STORIES_DIR, 'stories260K.bin'),
    '--out',
    out,
    '--data',
    CALIBRATION,
    ...(evaluate ? ['--eval-data', CALIBRATION] : ['--no-eval']),
    '--layers',
    '1',
    '--block-length',
    '32',
    '--scoring-blocks',
    '8',
    '--training-blocks',
    '8',
    '--validation-blocks',
    '2',
    '--epochs',
    '2',
    '--eval-blocks',
    '32',
    '--batch',
    '2',
  ];
}

async function hashInputs(): Promise<string> {
  const h = createHash('sha256');
  for (const f of ['stories260K.bin', 'tok512.bin', 'tok512.model'])
    h.update(await readFile(join(STORIES_DIR, f)));
  h.update(await readFile(CALIBRATION));
  return h.digest('hex');
}

/** Tool caches that are not ours (tsx compiles into TMPDIR/tsx-<uid>). */
const FOREIGN = /^tsx-\d+$/;

/** Starts the CLI as `launch` says, in its own process group (as a terminal job is). */
export function launchCli(
  launch: Launch,
  args: readonly string[],
  env: Record<string, string>,
): ChildProcess {
  const fullEnv = applyWebGPUEnv({ ...process.env, NO_COLOR: '1', ...env });
  const [cmd, cmdArgs] =
    launch === 'npm'
      ? ['npm', ['run', '--silent', 'llm-streamline', '--', ...args]]
      : [process.execPath, [...binCommand(), ...args]];
  return spawn(cmd, cmdArgs, { cwd: repoRoot, env: fullEnv, detached: true });
}

/**
 * Sends a signal like a user would: SIGINT and SIGHUP as a terminal does, to the whole process
 * group; SIGTERM as `kill PID` does, to the started process only (npm, or the bin).
 */
function deliver(child: ChildProcess, signal: NodeJS.Signals): boolean {
  const pid = child.pid as number;
  try {
    process.kill(signal === 'SIGTERM' ? pid : -pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

/** One run: start, signal at the stage point, wait for the exit, look for leftovers. */
export async function signalRun(options: SignalRunOptions): Promise<SignalRunResult> {
  const root = await mkdtemp(join(tmpdir(), 'llms-signal-'));
  const tmp = join(root, 'tmp');
  const parent = join(root, 'out-parent');
  await mkdir(tmp);
  await mkdir(parent);
  const out = join(parent, 'pruned');
  const before = await hashInputs();
  const child = launchCli(options.launch, pruneArgs(out), { TMPDIR: tmp });
  let stderr = '';
  let sent = false;
  let secondSent = false;
  let exited = false;
  const first = options.delivery === 'double-SIGINT' ? 'SIGINT' : options.delivery;
  child.stdout?.resume();
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (sent || !new RegExp(`^${options.stage}\\b`, 'm').test(stderr)) return;
    sent = true;
    setTimeout(() => {
      if (exited || !deliver(child, first)) {
        sent = false;
        return;
      }
      if (options.delivery !== 'double-SIGINT') return;
      // The second press: after the first was acknowledged, later than copies of one event.
      const waitForStop = setInterval(() => {
        if (exited) return clearInterval(waitForStop);
        if (!/stopping/.test(stderr)) return;
        clearInterval(waitForStop);
        setTimeout(() => {
          if (!exited) secondSent = deliver(child, 'SIGINT');
        }, 400);
      }, 10);
    }, options.delayMs);
  });
  const { code, signal } = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>((done, fail) => {
    child.on('error', fail);
    child.on('close', (c, s) => {
      exited = true;
      done({ code: c, signal: s });
    });
  });
  // Whatever is still running in the group (nothing should be) would keep files open.
  try {
    process.kill(-(child.pid as number), 'SIGKILL');
  } catch {}
  const outputExists = existsSync(out);
  const leftovers = [
    ...(await readdir(parent)).map((n) => join(parent, n)),
    ...(await readdir(tmp)).filter((n) => !FOREIGN.test(n)).map((n) => join(tmp, n)),
  ];
  const inputsUnchanged = (await hashInputs()) === before;
  await rm(root, { recursive: true, force: true });
  const expectedCode = EXPECTED_CODE[options.delivery];
  const acknowledged = /^stopping/m.test(stderr);
  return {
    ...options,
    code,
    signal,
    expectedCode,
    sent,
    acknowledged,
    secondSent,
    outputExists,
    leftovers,
    inputsUnchanged,
    stderr,
    ok:
      sent &&
      acknowledged &&
      code === expectedCode &&
      !outputExists &&
      leftovers.length === 0 &&
      inputsUnchanged,
  };
}

/** A seeded point: the stage and the delay for run `i` of a series (mulberry32). */
export function seededPoint(seed: number, i: number): { stage: Stage; delayMs: number } {
  let t = (seed + i * 0x9e3779b9) >>> 0;
  const next = () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  return {
    stage: STAGES[Math.floor(next() * STAGES.length)] as Stage,
    delayMs: Math.floor(next() * 400),
  };
}
