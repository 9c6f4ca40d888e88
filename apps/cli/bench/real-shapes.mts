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
 *   tinyllama-score   TinyLlama-1.1B shape: load, then perplexity of one 64-token block; target
 *                     RSS ≤ 1.3 × the BF16 file size + 1 GiB        (big)
 *   llama3.2-score    Llama-3.2-1B shape: load, then perplexity of one 64-token block   (big)
 * Targets are reported (ratio, pass/fail), never asserted.
 *
 * Usage (from the repository root):
 *   npm run bench:real -w @llm-streamline/cli [-- --case NAME …] [--big] [--weights-dtype auto|f32]
 *   --case NAME       run the cases whose name starts with NAME (repeatable): `--case smollm2`
 *                     runs both SmolLM2 cases, `--case tinyllama` the TinyLlama one
 *   --big             also run the big cases (also BENCH_REAL_BIG=1). Each takes minutes and
 *                     several GB of RAM; without it only the SmolLM2 cases run (a few minutes),
 *                     which is what `npm run bench` runs
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
import { main } from '../src/cli.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const SCORE_BLOCK_LENGTH = 64;

/** What a case measures beyond the RSS and device peak every child reports. */
type Metrics = Record<string, number | string | boolean>;

interface Case {
  name: string;
  preset: CheckpointPresetName;
  /** Minutes and gigabytes: run only with --big. */
  big: boolean;
  run(dir: string, device: Device, weightsDtype: WeightsDTypeChoice): Promise<Metrics>;
}

const CASES: Case[] = [
  { name: 'smollm2-prune', preset: 'smollm2-135m', big: false, run: prune },
  { name: 'smollm2-forward', preset: 'smollm2-135m', big: false, run: forwardThroughput },
  { name: 'tinyllama-score', preset: 'tinyllama-1.1b', big: true, run: loadAndScore },
  { name: 'llama3.2-score', preset: 'llama-3.2-1b', big: true, run: loadAndScore },
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
  let output = '';
  const sink = { write: (text: string) => (output += text) };
  const started = performance.now();
  const code = await main(argv, {
    stdout: sink,
    stderr: sink,
    env: process.env,
    signal: new AbortController().signal,
    cwd: process.cwd(),
  });
  const seconds = (performance.now() - started) / 1000;
  rmSync(out, { recursive: true, force: true });
  if (code !== 0) throw new Error(`prune exited with ${code}:\n${output}`);
  return { seconds, rssTargetBytes: GiB };
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
  const matches =
    found !== undefined &&
    found.tensors.length === expected.length &&
    expected.every((t, i) => found.tensors[i]?.shape.join() === t.shape.join());
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
    ...metrics,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    peakDeviceBytes: device.memoryStats().peakBytesLive,
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

function selectCases(names: readonly string[], big: boolean): Case[] {
  if (names.length === 0) return CASES.filter((c) => big || !c.big);
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

function table(results: readonly CaseResult[]): string {
  const num = (v: unknown, digits = 1) => (typeof v === 'number' ? v.toFixed(digits) : '–');
  const lines = [
    '| case | seconds | tokens/s | peak RSS MiB | peak device MiB | target | ratio | pass |',
    '|---|---:|---:|---:|---:|---|---:|---|',
  ];
  for (const r of results) {
    const rssTarget = typeof r.rssTargetBytes === 'number' ? r.rssTargetBytes : undefined;
    const [target, ratio, pass] =
      rssTarget !== undefined
        ? [
            `RSS ≤ ${num(rssTarget / MiB, 0)} MiB`,
            r.maxRssBytes / rssTarget,
            r.maxRssBytes <= rssTarget,
          ]
        : [
            `FLOP/s ≥ ${r.throughputTarget} × matmul (${num(r.matmulBestGflops)} GFLOP/s)`,
            r.throughputRatio as number,
            (r.throughputRatio as number) >= (r.throughputTarget as number),
          ];
    lines.push(
      `| ${r.case} | ${num(r.seconds)} | ${num(r.tokensPerSecond, 2)} | ${num(r.maxRssBytes / MiB, 0)} | ${num(r.peakDeviceBytes / MiB, 0)} | ${target} | ${num(ratio, 2)} | ${pass ? 'pass' : 'FAIL'} |`,
    );
  }
  return lines.join('\n');
}

async function runParent(): Promise<void> {
  const { values } = parseArgs({
    options: {
      case: { type: 'string', multiple: true },
      big: { type: 'boolean' },
      'weights-dtype': { type: 'string' },
    },
  });
  const weightsDtype = parseWeightsDtype(values['weights-dtype'] ?? 'auto', '--weights-dtype');
  const cases = selectCases(
    values.case ?? [],
    values.big === true || process.env.BENCH_REAL_BIG === '1',
  );
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
