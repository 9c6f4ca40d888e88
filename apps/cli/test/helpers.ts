/**
 * Running the real `llm-streamline` executable in a subprocess (from TypeScript source, as
 * `npm run llm-streamline` does), and the small fixed settings that keep each run to seconds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkpointPreset, writeRandomCheckpoint } from '@llm-streamline/llm';
import { DirectorySink } from '@llm-streamline/llm/node';
import { repoRoot } from '@llm-streamline/test-utils/paths';
import { afterAll } from 'vitest';
import { applyWebGPUEnv } from '../../../scripts/webgpu-env.mjs';

export const CLI_MAIN = resolve(repoRoot, 'apps/cli/src/main.ts');
export const ASSETS = resolve(repoRoot, 'apps/cli/assets');
export const STORIES_BIN = join(ASSETS, 'stories260K/stories260K.bin');
export const TINY_12L = join(ASSETS, 'tinystories-12L');
export const HELDOUT = join(TINY_12L, 'heldout.txt');

/** Tiny pipeline budgets on stories260K: 64-token blocks, 4 scoring, 8 training, 2 validation, 1 epoch. */
export const TINY = [
  '--layers',
  '1',
  '--block-length',
  '64',
  '--scoring-blocks',
  '4',
  '--training-blocks',
  '8',
  '--validation-blocks',
  '2',
  '--epochs',
  '1',
  '--batch',
  '4',
];

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * tsx's loader by URL: `--import tsx` would resolve from the working folder, which a test may set
 * outside the repository.
 */
const TSX_LOADER = pathToFileURL(resolve(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href;

/** Starts the CLI with `args`; `onStderr` sees stderr as it arrives (to interrupt at a stage). */
export function startCli(
  args: readonly string[],
  {
    onStderr,
    env = {},
    cwd = repoRoot,
  }: {
    onStderr?: (text: string, child: ChildProcess) => void;
    env?: Record<string, string>;
    /** The working folder (default: the repository root). */
    cwd?: string;
  } = {},
): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(
    process.execPath,
    ['--conditions=@llm-streamline/source', '--import', TSX_LOADER, CLI_MAIN, ...args],
    { cwd, env: applyWebGPUEnv({ ...process.env, NO_COLOR: '1', ...env }) },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(stderr, child);
  });
  const done = new Promise<CliRun>((resolveRun, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolveRun({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs the CLI to completion. */
export function runCli(args: readonly string[], env?: Record<string, string>): Promise<CliRun> {
  return startCli(args, { env }).done;
}

/** The `{"type":"result"}` line of a `--json` run. */
export function jsonResult<T = Record<string, unknown>>(run: CliRun): T {
  const lines = run.stdout.trim().split('\n').filter(Boolean);
  const results = lines.map((l) => JSON.parse(l)).filter((o) => o.type === 'result');
  if (results.length !== 1)
    throw new Error(
      `expected one result line, got ${results.length}:\n${run.stdout}\n${run.stderr}`,
    );
  return results[0] as T;
}

/** A fresh temporary folder, deleted after the file's tests. */
const made: string[] = [];
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'llm-streamline-cli-test-'));
  made.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
});

/**
 * Writes a random-weight BF16 Qwen2 checkpoint (q/k/v biases, GQA, tied, byte-level tokenizer) at
 * small sizes into a fresh temporary folder and returns its path: a real-format model of another
 * architecture than the bundled ones, in seconds.
 */
export async function smallQwen2Checkpoint(layers: number): Promise<string> {
  const config = {
    ...checkpointPreset('qwen2.5-0.5b'),
    num_hidden_layers: layers,
    hidden_size: 64,
    intermediate_size: 96,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    vocab_size: 300,
    bos_token_id: 256,
    eos_token_id: 257,
  };
  const dir = join(await tempDir(), 'qwen2');
  const sink = await DirectorySink.create(dir);
  await writeRandomCheckpoint(config, sink, { dtype: 'BF16' });
  await sink.commit();
  return dir;
}
