/**
 * The real-shape benchmark's streaming cases (run by real-shapes.mts, each in its own child
 * process): the CLI in this process with `--device-memory` below the model's size, so the decoder
 * layers and the head stream from the checkpoint. Each reports what the run's JSON says of the
 * stream (`memory`): the device peak (the largest of the stages' measured peaks), the upload
 * bandwidth (bytes uploaded / fetch seconds) and the share of the upload time the overlap with
 * compute hid (1 − wait / fetch seconds), with the process's peak RSS right after the streamed run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MemoryPlanRecord, StreamStats } from '@llm-streamline/llm';
import { BUNDLED } from '../src/bundled.js';
import { main } from '../src/cli.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/** What a case measures (the runner adds RSS and the device peak unless the case reports them). */
export type Metrics = Record<string, number | string | boolean>;

type MemoryResult = MemoryPlanRecord & { stream?: StreamStats };

/** Runs the CLI in this process; returns its output and wall seconds, throwing when it fails. */
export async function runCli(
  argv: readonly string[],
): Promise<{ output: string; seconds: number }> {
  let output = '';
  const sink = { write: (text: string) => (output += text) };
  const started = performance.now();
  const code = await main([...argv], {
    stdout: sink,
    stderr: sink,
    env: process.env,
    signal: new AbortController().signal,
    cwd: process.cwd(),
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${argv[0]} exited with ${code}:\n${output}`);
  return { output, seconds };
}

/** The process's peak RSS so far, in bytes (it never goes down). */
function maxRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** The figures every streamed case reports, from the run's memory record. */
function streamMetrics(memory: MemoryResult | undefined, what: string): Metrics {
  if (memory?.mode !== 'streamed' || !memory.stream)
    throw new Error(`${what}: expected a streamed run, got ${memory?.mode ?? 'no memory record'}`);
  const { bytesUploaded, fetches, fetchSeconds, waitSeconds } = memory.stream;
  const peaks = Object.values(memory.stages ?? {}).map((s) => s.measuredPeakBytes ?? 0);
  return {
    budgetBytes: memory.budgetBytes,
    peakDeviceBytes: Math.max(0, ...peaks),
    peakTargetBytes: memory.budgetBytes,
    prefetch: memory.prefetch,
    bytesUploaded,
    fetches,
    fetchSeconds,
    waitSeconds,
    uploadMiBPerSecond: fetchSeconds > 0 ? bytesUploaded / fetchSeconds / MiB : 0,
    overlapHidden: fetchSeconds > 0 ? Math.max(0, 1 - waitSeconds / fetchSeconds) : 0,
  };
}

/**
 * Prune settings small enough for a 64 MiB budget at SmolLM2's shape. The replacement is the
 * default kind (an FFN) with a hidden size of 512 instead of the model's 1536, randomly
 * initialised: the full-size FFN's 2.65M f32 parameters (10 MiB) are pinned on the device while
 * the pruned model is evaluated, beside the 56 MiB output head (SmolLM2 ties it to its 49152-row
 * embedding), which is over 64 MiB; training it would also need 66 MiB (five copies for AdamW).
 * At 512 the FFN is 3.4 MiB. Such an FFN cannot be written as a LLaMA layer, so no checkpoint is
 * written (`streamline.json` and the report are); every stage still runs, and both runs of the
 * comparison do the same work. (`linear` would skip training; `none` training and the replacement.)
 */
const PRUNE_SETTINGS = [
  ...['--layers', '1', '--block-length', '64', '--scoring-blocks', '4'],
  ...['--training-blocks', '4', '--validation-blocks', '2', '--epochs', '1'],
  ...['--eval-blocks', '2', '--batch', '2', '--no-baselines'],
  ...['--replacement', 'ffn', '--ffn-hidden', '512', '--ffn-init', 'random'],
];
const PRUNE_BUDGET = '64MiB';
/** The streamed prune's wall time may be at most this many times the resident one's. */
const PRUNE_TIME_RATIO_TARGET = 1.3;

/**
 * `prune` with `--device-memory 64MiB`, then the same prune resident, in this process: the peak
 * RSS is read after the streamed run (before the resident one loads the whole model), and the
 * wall times are compared.
 */
export async function streamedPrune(dir: string): Promise<Metrics> {
  const out = mkdtempSync(join(tmpdir(), 'llm-streamline-bench-stream-prune-'));
  const prune = async (extra: readonly string[]) => {
    const argv = [
      ...['prune', dir, '--out', join(out, 'pruned'), '--force', '--quiet'],
      ...['--data', BUNDLED.calibrationText, '--eval-data', BUNDLED.evaluationText],
      ...PRUNE_SETTINGS,
      ...extra,
    ];
    const { seconds } = await runCli(argv);
    const report = JSON.parse(readFileSync(join(out, 'pruned', 'streamline.json'), 'utf8')) as {
      memory?: MemoryResult;
    };
    return { seconds, memory: report.memory };
  };
  try {
    const streamed = await prune(['--device-memory', PRUNE_BUDGET]);
    const streamedRss = maxRssBytes();
    const resident = await prune([]);
    if (resident.memory?.mode === 'streamed')
      throw new Error('the comparison run streamed: it should hold the whole model');
    return {
      ...streamMetrics(streamed.memory, 'prune --device-memory 64MiB'),
      seconds: streamed.seconds,
      maxRssBytes: streamedRss,
      rssTargetBytes: GiB,
      residentSeconds: resident.seconds,
      timeRatio: streamed.seconds / resident.seconds,
      timeRatioTarget: PRUNE_TIME_RATIO_TARGET,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * `score` of one block under a device-memory budget (the calibration text's first draw), as JSON;
 * `rssTargetBytes` when the case has one.
 */
export function streamedScore(
  budget: string,
  blockLength: number,
  rssTargetBytes?: number,
): (dir: string) => Promise<Metrics> {
  return async (dir) => {
    const argv = [
      ...['score', dir, '--data', BUNDLED.calibrationText, '--json'],
      ...['--scoring-blocks', '1', '--block-length', String(blockLength), '--batch', '1'],
      ...['--device-memory', budget],
    ];
    const { output, seconds } = await runCli(argv);
    const result = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { type: string; memory?: MemoryResult })
      .find((event) => event.type === 'result');
    return {
      ...streamMetrics(result?.memory, `score --device-memory ${budget}`),
      seconds,
      tokensPerSecond: blockLength / seconds,
      ...(rssTargetBytes !== undefined ? { rssTargetBytes } : {}),
    };
  };
}
