/**
 * Benchmark at real model shapes: random-weight checkpoints of public models' exact shapes (the
 * llm package's presets, BF16 safetensors), so memory and speed are what the real models cost
 * (their perplexity means nothing). Each case runs in a fresh child process, so its peak RSS
 * (`process.resourceUsage().maxRSS`) and its device peak (`memoryStats().peakBytesLive`) are its
 * own; on a CPU adapter (SwiftShader, lavapipe) device memory is host memory, so RSS is the figure.
 *
 * Cases:
 *   smollm2-prune     SmolLM2-135M shape: `llm-streamline prune` with small settings (in-process
 *                     CLI); target RSS ≤ 1 GiB
 *   smollm2-forward   SmolLM2-135M shape: FLOP/s of a forward pass (2·params·tokens) as a share of
 *                     the adapter's best f32 matmul GFLOP/s measured in the same child (512³ and
 *                     the model's own projection shapes, each kernel variant); target ≥ 0.6
 *   smollm2-stream-prune
 *                     SmolLM2-135M shape: `prune --device-memory 64MiB` with small settings and a
 *                     512-wide FFN replacement (see stream-cases.mts for why), then the same prune
 *                     resident, in one process; targets device peak ≤ 64 MiB, RSS after the
 *                     streamed run ≤ 1 GiB, wall time ≤ 1.3 × the resident run's
 *   tinyllama-score   TinyLlama-1.1B shape: load, then perplexity of one 64-token block; target
 *                     RSS ≤ 1.3 × the BF16 file size + 1 GiB        (big)
 *   llama3.2-score    Llama-3.2-1B shape: load, then perplexity of one 64-token block   (big)
 *   llama3.2-stream-score
 *                     Llama-3.2-1B shape: `score --device-memory 256MiB` of one 64-token block;
 *                     target device peak ≤ 256 MiB                   (big)
 *   llama2-7b-stream-score
 *                     Llama-2-7B shape (13.5 GB of BF16): `score --device-memory 1GiB` of one
 *                     32-token block; targets device peak ≤ 1 GiB, RSS ≤ 4 GiB      (huge)
 * The streaming cases also report the upload bandwidth (bytes uploaded / fetch seconds) and the
 * share of the upload time the overlap with compute hid (1 − wait / fetch seconds), from the JSON
 * result's `memory.stream`. Targets are reported (ratio, pass/fail), never asserted.
 *
 * Usage (from the repository root):
 *   npm run bench:real -w @llm-streamline/cli [-- --case NAME …] [--big] [--huge]
 *                                             [--weights-dtype auto|f32]
 *   --case NAME       run the cases whose name starts with NAME (repeatable): `--case smollm2`
 *                     runs the three SmolLM2 cases, `--case tinyllama` the TinyLlama one
 *   --big             also run the big cases (also BENCH_REAL_BIG=1). Each takes minutes and
 *                     several GB of RAM; without it only the SmolLM2 cases run (several minutes),
 *                     which is what `npm run bench` runs
 *   --huge            also run the huge case (also BENCH_REAL_HUGE=1): the first run writes the
 *                     13.5 GB Llama-2-7B checkpoint (~13 min on a 2-core box), the case then takes
 *                     minutes. Independent of --big
 *   --weights-dtype   dtype of the weight matrices on the device (default auto: the
 *                     checkpoint's, BF16 for these presets); f32 measures the widened model
 * Checkpoints are written once into BENCH_REAL_CACHE (default <os tmpdir>/llm-streamline-bench),
 * one folder per preset, and reused while they match the preset (writing them takes ~5 s for
 * SmolLM2 and ~45 s for the 1B models). Writes bench-results/real-shapes.json (the cases run now
 * replace their earlier results; the others are kept) and prints a table of the cases run now.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type CheckpointPresetName,
  checkpointDims,
  checkpointLayout,
  checkpointPreset,
  type LoadedModel,
  packBlocks,
  parseWeightsDtype,
  perplexity,
  type WeightsDTypeChoice,
  writeRandomCheckpoint,
} from '@llm-streamline/llm';
import { DirectorySink, loadModelFromPath, readCheckpointHeaders } from '@llm-streamline/llm/node';
import {
  type Device,
  getDevice,
  type KernelVariant,
  matmul,
  randNormal,
  scope,
  tensor,
} from '@llm-streamline/tensor';
import { reportToParent, runBenchChild } from '@llm-streamline/test-utils/bench-child';
import { writeBenchResults } from '@llm-streamline/test-utils/bench-results';
import { repoRoot } from '@llm-streamline/test-utils/paths';
import { BUNDLED } from '../src/bundled.js';
import { type Metrics, runCli, streamedPrune, streamedScore } from './stream-cases.mjs';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const SCORE_BLOCK_LENGTH = 64;

/**
 * Which runs include a case: `default` always (what `npm run bench` runs), `big` with --big
 * (minutes and gigabytes), `huge` with --huge (a 13.5 GB checkpoint).
 */
type Tier = 'default' | 'big' | 'huge';

interface Case {
  name: string;
  preset: CheckpointPresetName;
  tier: Tier;
  /**
   * Measures the case. The runner adds the child's peak RSS (`maxRssBytes`) and device peak
   * (`peakDeviceBytes`) unless the metrics carry their own (a case that runs a comparison after
   * the run it measures).
   */
  run(dir: string, device: Device, weightsDtype: WeightsDTypeChoice): Promise<Metrics>;
}

const CASES: Case[] = [
  { name: 'smollm2-prune', preset: 'smollm2-135m', tier: 'default', run: prune },
  { name: 'smollm2-forward', preset: 'smollm2-135m', tier: 'default', run: forwardThroughput },
  { name: 'smollm2-stream-prune', preset: 'smollm2-135m', tier: 'default', run: streamedPrune },
  { name: 'tinyllama-score', preset: 'tinyllama-1.1b', tier: 'big', run: loadAndScore },
  { name: 'llama3.2-score', preset: 'llama-3.2-1b', tier: 'big', run: loadAndScore },
  {
    name: 'llama3.2-stream-score',
    preset: 'llama-3.2-1b',
    tier: 'big',
    run: streamedScore('256MiB', 64),
  },
  {
    name: 'llama2-7b-stream-score',
    preset: 'llama-2-7b',
    tier: 'huge',
    run: streamedScore('1GiB', 32, 4 * GiB),
  },
];

/** Loads the checkpoint at `dir` with its weight matrices held as `weightsDtype`. */
function loadModel(dir: string, weightsDtype: WeightsDTypeChoice): Promise<LoadedModel> {
  return loadModelFromPath(dir, { weightsDtype });
}

// ---------------------------------------------------------------------------------------------
// Cases (each runs in its own child process)

/** `prune` with small settings: 2 layers out, short blocks, few blocks, one epoch. */
async function prune(
  dir: string,
  _device: Device,
  weightsDtype: WeightsDTypeChoice,
): Promise<Metrics> {
  const out = join(tmpdir(), `llm-streamline-bench-pruned-${process.pid}`);
  const argv = [
    ...['prune', dir, '--out', out, '--force', '--layers', '2'],
    ...['--data', BUNDLED.calibrationText, '--eval-data', BUNDLED.evaluationText],
    ...['--block-length', '64', '--scoring-blocks', '8', '--validation-blocks', '2'],
    ...['--training-blocks', '16', '--epochs', '1', '--batch', '4'],
    ...['--eval-blocks', '4', '--no-baselines', '--quiet', '--weights-dtype', weightsDtype],
  ];
  try {
    const { seconds } = await runCli(argv);
    return { seconds, rssTargetBytes: GiB };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Load, then the perplexity of one 64-token block of the bundled held-out text. */
async function loadAndScore(
  dir: string,
  device: Device,
  dtype: WeightsDTypeChoice,
): Promise<Metrics> {
  const started = performance.now();
  const { model, tokenizer } = await loadModel(dir, dtype);
  await device.sync();
  const loadSeconds = (performance.now() - started) / 1000;
  if (!tokenizer) throw new Error(`${dir}: no tokenizer`);
  const text = readFileSync(BUNDLED.evaluationText, 'utf8');
  const blocks = packBlocks(text, tokenizer, SCORE_BLOCK_LENGTH).slice(0, 1);
  const scoreStarted = performance.now();
  const result = await perplexity(model, blocks, { batchSize: 1 });
  const scoreSeconds = (performance.now() - scoreStarted) / 1000;
  model.dispose();
  const fileBytes = await safetensorsBytes(dir);
  return {
    loadSeconds,
    scoreSeconds,
    seconds: loadSeconds + scoreSeconds,
    tokensPerSecond: result.tokensScored / scoreSeconds,
    fileBytes,
    rssTargetBytes: 1.3 * fileBytes + GiB,
  };
}

/** Forward FLOP/s (2·params·tokens) against the adapter's best matmul, both measured here. */
async function forwardThroughput(
  dir: string,
  device: Device,
  dtype: WeightsDTypeChoice,
): Promise<Metrics> {
  const { model, config } = await loadModel(dir, dtype);
  // 64 tokens: a CPU adapter runs this forward at a few GFLOP/s, and a case should take about a minute.
  const [batch, tokens] = [1, 64];
  const ids = Int32Array.from({ length: batch * tokens }, (_, i) => (i * 7919) % config.vocabSize);
  const forwardSeconds = await bestSeconds(device, () =>
    scope(() => {
      model.forward(tensor(ids, [batch, tokens]));
    }),
  );
  const forwardFlops = (2 * model.parameterCount() * batch * tokens) / forwardSeconds;
  process.stderr.write(`  forward [${batch}, ${tokens}]: ${forwardSeconds.toFixed(2)} s\n`);
  model.dispose();
  const rows = batch * tokens;
  const d = config.hiddenSize;
  // [M, K] × [N, K]ᵀ as the model's projections run, and a square one.
  const shapes: [number, number, number][] = [
    [512, 512, 512],
    [rows, d, config.intermediateSize],
    [rows, config.intermediateSize, d],
    [rows, d, config.vocabSize],
  ];
  let best = { flops: 0, shape: '', variant: '' };
  const variant = device.kernelVariant;
  for (const v of ['register', 'tiled'] as KernelVariant[]) {
    device.kernelVariant = v;
    for (const [m, k, n] of shapes) {
      const flops = (2 * m * k * n) / (await matmulSeconds(device, m, k, n));
      process.stderr.write(`  matmul ${m}x${k}x${n} ${v}: ${(flops / 1e9).toFixed(1)} GFLOP/s\n`);
      if (flops > best.flops) best = { flops, shape: `${m}x${k}x${n}`, variant: v };
    }
  }
  device.kernelVariant = variant;
  return {
    seconds: forwardSeconds,
    tokensPerSecond: rows / forwardSeconds,
    forwardGflops: forwardFlops / 1e9,
    matmulBestGflops: best.flops / 1e9,
    matmulBestShape: best.shape,
    matmulBestVariant: best.variant,
    throughputRatio: forwardFlops / best.flops,
    throughputTarget: 0.6,
  };
}

async function matmulSeconds(device: Device, m: number, k: number, n: number): Promise<number> {
  const a = randNormal([m, k], 0, 1, { seed: 1 });
  const w = randNormal([n, k], 0, 1, { seed: 2 });
  const seconds = await bestSeconds(device, () =>
    scope(() => {
      matmul(a, w.transpose());
    }),
  );
  a.dispose();
  w.dispose();
  return seconds;
}

/** Best of two timed runs after a warm-up (which compiles the kernels), synced each time. */
async function bestSeconds(device: Device, fn: () => void): Promise<number> {
  fn();
  await device.sync();
  let best = Infinity;
  for (let i = 0; i < 2; i++) {
    const started = performance.now();
    fn();
    await device.sync();
    best = Math.min(best, (performance.now() - started) / 1000);
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

/** Bytes of the safetensors files in `dir`. */
async function safetensorsBytes(dir: string): Promise<number> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.safetensors'));
  return files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

/**
 * The preset's checkpoint in the cache, written when absent or not this preset's. DirectorySink
 * renames a finished folder into place, so one that exists was written completely.
 */
async function ensureCheckpoint(cache: string, preset: CheckpointPresetName): Promise<string> {
  const dir = join(cache, preset);
  const config = checkpointPreset(preset);
  const expected = checkpointLayout(checkpointDims(config, preset));
  const found = await readCheckpointHeaders(dir, 'huggingface').catch(() => undefined);
  // By name: a sharded checkpoint's headers do not list its tensors in the layout's order.
  const shapes = new Map(found?.tensors.map((t) => [t.name, t.shape.join()]));
  const matches =
    found !== undefined &&
    found.tensors.length === expected.length &&
    expected.every((t) => shapes.get(t.name) === t.shape.join());
  if (matches) return dir;
  process.stderr.write(`writing the ${preset} checkpoint into ${dir}…\n`);
  mkdirSync(cache, { recursive: true });
  const sink = await DirectorySink.create(dir, { overwrite: true });
  try {
    await writeRandomCheckpoint(config, sink);
    await sink.commit();
  } catch (e) {
    await sink.abort();
    throw e;
  }
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Parent and child

interface CaseResult extends Metrics {
  case: string;
  preset: string;
  maxRssBytes: number;
  peakDeviceBytes: number;
}

/** In the child: runs one case and reports its result to the parent. */
async function runChild(name: string): Promise<void> {
  const spec = CASES.find((c) => c.name === name);
  if (!spec) throw new Error(`unknown case ${name}`);
  const device = await getDevice();
  const metrics = await spec.run(
    process.env.BENCH_REAL_DIR as string,
    device,
    process.env.BENCH_REAL_WEIGHTS_DTYPE as WeightsDTypeChoice,
  );
  const result: CaseResult = {
    case: name,
    preset: spec.preset,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    peakDeviceBytes: device.memoryStats().peakBytesLive,
    ...metrics,
  };
  reportToParent(result);
}

function spawnCase(
  name: string,
  dir: string,
  weightsDtype: WeightsDTypeChoice,
): Promise<CaseResult> {
  const env = {
    BENCH_REAL_CHILD: name,
    BENCH_REAL_DIR: dir,
    BENCH_REAL_WEIGHTS_DTYPE: weightsDtype,
  };
  return runBenchChild<CaseResult>(fileURLToPath(import.meta.url), env, `case ${name}`);
}

function selectCases(names: readonly string[], tiers: ReadonlySet<Tier>): Case[] {
  if (names.length === 0) return CASES.filter((c) => tiers.has(c.tier));
  const picked = CASES.filter((c) => names.some((n) => c.name.startsWith(n)));
  const unknown = names.filter((n) => !CASES.some((c) => c.name.startsWith(n)));
  if (unknown.length > 0)
    throw new Error(
      `--case ${unknown.join(', ')}: no such case (cases: ${CASES.map((c) => c.name).join(', ')})`,
    );
  return picked;
}

/**
 * The results of earlier runs for the cases not run now, so that the file holds every case's
 * latest figures (each result carries its own date, device and weights dtype).
 */
function earlierResults(now: readonly CaseResult[]): CaseResult[] {
  const file = join(repoRoot, 'bench-results', 'real-shapes.json');
  if (!existsSync(file)) return [];
  const { results = [] } = JSON.parse(readFileSync(file, 'utf8')) as { results?: CaseResult[] };
  return results.filter((r) => !now.some((n) => n.case === r.case));
}

/** One target of a case: what it asks, the measured figure over (or as) its limit, and whether it holds. */
interface TargetCheck {
  target: string;
  ratio?: number;
  pass: boolean;
}

/** The targets a result carries (RSS, device peak, throughput, wall time against resident). */
function targetChecks(r: CaseResult): TargetCheck[] {
  const num = (v: number, digits = 0) => v.toFixed(digits);
  const checks: TargetCheck[] = [];
  const atMost = (target: string, measured: number, limit: number) =>
    checks.push({ target, ratio: measured / limit, pass: measured <= limit });
  if (typeof r.rssTargetBytes === 'number')
    atMost(`RSS ≤ ${num(r.rssTargetBytes / MiB)} MiB`, r.maxRssBytes, r.rssTargetBytes);
  if (typeof r.peakTargetBytes === 'number')
    atMost(
      `device peak ≤ ${num(r.peakTargetBytes / MiB)} MiB`,
      r.peakDeviceBytes,
      r.peakTargetBytes,
    );
  if (typeof r.timeRatioTarget === 'number' && typeof r.timeRatio === 'number')
    checks.push({
      target: `time ≤ ${r.timeRatioTarget} × resident (${num(r.residentSeconds as number, 1)} s)`,
      ratio: r.timeRatio,
      pass: r.timeRatio <= r.timeRatioTarget,
    });
  if (typeof r.throughputTarget === 'number' && typeof r.throughputRatio === 'number')
    checks.push({
      target: `FLOP/s ≥ ${r.throughputTarget} × matmul (${num(r.matmulBestGflops as number, 1)} GFLOP/s)`,
      ratio: r.throughputRatio,
      pass: r.throughputRatio >= r.throughputTarget,
    });
  return checks;
}

function table(results: readonly CaseResult[]): string {
  const num = (v: unknown, digits = 1) => (typeof v === 'number' ? v.toFixed(digits) : '–');
  const lines = [
    '| case | seconds | tokens/s | peak RSS MiB | peak device MiB | upload MiB/s | overlap | target | ratio | pass |',
    '|---|---:|---:|---:|---:|---:|---:|---|---:|---|',
  ];
  for (const r of results) {
    const overlap =
      typeof r.overlapHidden === 'number' ? `${(100 * r.overlapHidden).toFixed(0)}%` : '–';
    const checks = targetChecks(r);
    if (checks.length === 0) checks.push({ target: '–', pass: true });
    checks.forEach((c, k) => {
      const figures =
        k === 0
          ? `${r.case} | ${num(r.seconds)} | ${num(r.tokensPerSecond, 2)} | ${num(r.maxRssBytes / MiB, 0)} | ${num(r.peakDeviceBytes / MiB, 0)} | ${num(r.uploadMiBPerSecond)} | ${overlap}`
          : ' | | | | | |';
      lines.push(`| ${figures} | ${c.target} | ${num(c.ratio, 2)} | ${c.pass ? 'pass' : 'FAIL'} |`);
    });
  }
  return lines.join('\n');
}

async function runParent(): Promise<void> {
  const { values } = parseArgs({
    options: {
      case: { type: 'string', multiple: true },
      big: { type: 'boolean' },
      huge: { type: 'boolean' },
      'weights-dtype': { type: 'string' },
    },
  });
  const weightsDtype = parseWeightsDtype(values['weights-dtype'] ?? 'auto', '--weights-dtype');
  const tiers = new Set<Tier>(['default']);
  if (values.big === true || process.env.BENCH_REAL_BIG === '1') tiers.add('big');
  if (values.huge === true || process.env.BENCH_REAL_HUGE === '1') tiers.add('huge');
  const cases = selectCases(values.case ?? [], tiers);
  const cache = process.env.BENCH_REAL_CACHE ?? join(tmpdir(), 'llm-streamline-bench');
  const results: CaseResult[] = [];
  for (const c of cases) {
    const dir = await ensureCheckpoint(cache, c.preset);
    process.stderr.write(`running ${c.name}…\n`);
    results.push(await spawnCase(c.name, dir, weightsDtype));
  }
  const device = await getDevice();
  const date = new Date().toISOString();
  const stamped = results.map((r) => ({ ...r, date, device: device.describe(), weightsDtype }));
  const file = writeBenchResults('real-shapes.json', device.describe(), {
    results: [...earlierResults(stamped), ...stamped],
  });
  console.log(
    `\n${table(results)}\n\n(${device.describe()}; weights ${weightsDtype}; written to ${file})`,
  );
}

if (process.env.BENCH_REAL_CHILD) await runChild(process.env.BENCH_REAL_CHILD);
else await runParent();
// The WebGPU device would keep the process alive.
process.exit(0);
