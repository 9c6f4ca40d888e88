/**
 * LLM-Streamline pipeline benchmark on tinystories-12L (12 layers, d 128, 2.3M parameters).
 *
 * Default mode: one `ffn` run (`--replacement layer` for the other kind) with STREAMLINE_DEFAULTS (n = 3, a quarter of the layers), calibrated
 * on the paragraphs of text/tinystories-valid-sample.txt that are not in heldout.txt and evaluated
 * on heldout.txt, written to a temporary folder with runToDirectory (pairs in a temporary file).
 * Reports each stage's wall time (scoring, pairs, training, evaluation, export), the total, the
 * peak live GPU bytes (device.memoryStats().peakBytesLive, reset after loading the model, so it
 * includes the weights) and the process RSS (sampled peak, and the OS's maxRSS).
 *
 * Memory-scaling mode (`--memory-scaling` or BENCH_MODE=memory): scoring + pairs + training only
 * (1 epoch, no evaluation, no export), with 1×, 2× and 4× BENCH_SCALE_BASE training blocks
 * (default 16 blocks of 256 tokens), pairs in FilePairStorage, each in a fresh child process so
 * the RSS peak and the GPU pool are its own. Only the pair file on disk should grow with the data;
 * the GPU peak (one batch at a time) and the RSS should stay flat.
 *
 * Writes bench-results/streamline.json at the repository root (each mode updates its own section).
 * Usage: npm run bench -w @llm-streamline/streamline [-- --memory-scaling]
 * BENCH_QUICK=1 shrinks everything (64-token blocks, few blocks) to smoke-test the script; quick
 * results are printed, not written.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitDocuments } from '@llm-streamline/llm';
import { loadModelFromPath } from '@llm-streamline/llm/node';
import { getDevice } from '@llm-streamline/tensor';
import { reportToParent, runBenchChild } from '@llm-streamline/test-utils/bench-child';
import {
  type ProgressEvent,
  STREAMLINE_DEFAULTS,
  type StreamlineOptions,
  streamline,
} from '../src/index.js';
import { FilePairStorage, runToDirectory } from '../src/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const data = process.env.SHARED_DATA
  ? resolve(process.env.SHARED_DATA)
  : resolve(repo, '../shared/data');
const modelDir = join(data, 'tinystories-12L');
const quick = process.env.BENCH_QUICK === '1';
/** Replacement kind of the default run: `--replacement KIND` or BENCH_REPLACEMENT (default ffn). */
const replaceFlag = process.argv.indexOf('--replacement');
const replacement =
  (replaceFlag >= 0 ? process.argv[replaceFlag + 1] : undefined) ??
  process.env.BENCH_REPLACEMENT ??
  'ffn';
const child = process.env.BENCH_CHILD; // "memory:<factor>" in a memory-scaling child
const mode = child
  ? 'child'
  : process.argv.includes('--memory-scaling') || process.env.BENCH_MODE === 'memory'
    ? 'memory'
    : 'default';

/** Calibration: the sample's paragraphs that are not held out; evaluation: heldout.txt. */
function texts(): { calibration: string; evaluation: string } {
  const evaluation = readFileSync(join(modelDir, 'heldout.txt'), 'utf8');
  const held = new Set(splitDocuments(evaluation));
  const calibration = splitDocuments(
    readFileSync(join(data, 'text/tinystories-valid-sample.txt'), 'utf8'),
  )
    .filter((d) => !held.has(d))
    .join('\n\n');
  return {
    calibration,
    evaluation: quick ? splitDocuments(evaluation).slice(0, 6).join('\n\n') : evaluation,
  };
}

/** Samples RSS every 100 ms (and on demand) and keeps the peak. */
function rssSampler(): { sample: () => void; stop: () => number } {
  let peak = process.memoryUsage().rss;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage().rss);
  };
  const timer = setInterval(sample, 100);
  return {
    sample,
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** A progress printer: one line per stage and message, then every ~10% with the ETA. */
function printer(): (e: ProgressEvent) => void {
  let key = '';
  let lastTenth = -1;
  return (e) => {
    const k = `${e.stage} ${e.message ?? ''}`.trim();
    const tenth = Math.floor((10 * e.done) / Math.max(e.total, 1));
    if (k !== key || tenth !== lastTenth) {
      const eta = e.etaSeconds === undefined ? '' : ` eta ${e.etaSeconds.toFixed(0)} s`;
      const loss = e.loss === undefined ? '' : ` loss ${e.loss.toFixed(4)}`;
      const vl = e.validationLoss === undefined ? '' : ` val ${e.validationLoss.toFixed(4)}`;
      console.error(`  ${k}: ${e.done}/${e.total}${loss}${vl}${eta}`);
      key = k;
      lastTenth = tenth;
    }
  };
}

/**
 * Peak live GPU bytes per stage: the pool's peak is read and reset at each stage's last progress
 * event (done = total), so a stage's own work, from the end of the previous stage to its last
 * event, is what it is charged with. `other` is what runs after the last event (assembly, export).
 */
function gpuStagePeaks(device: Awaited<ReturnType<typeof getDevice>>): {
  onEvent: (e: ProgressEvent) => void;
  finish: () => Record<string, number>;
} {
  const peaks: Record<string, number> = {};
  const close = (stage: string) => {
    peaks[stage] = Math.max(peaks[stage] ?? 0, device.memoryStats().peakBytesLive);
    device.pool.resetPeak();
  };
  return {
    onEvent: (e) => {
      if (e.done === e.total) close(e.stage);
    },
    finish: () => {
      close('other');
      return peaks;
    },
  };
}

const MB = 2 ** 20;
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

function quickSettings(): Partial<StreamlineOptions> {
  return quick
    ? {
        blockLength: 64,
        scoringBlocks: 4,
        trainingBlocks: 8,
        validationBlocks: 2,
        batchSize: 4,
        epochs: 1,
      }
    : {};
}

async function defaultRun(): Promise<Record<string, unknown>> {
  const device = await getDevice();
  const tLoad = performance.now();
  const { model, tokenizer, source, format } = await loadModelFromPath(modelDir);
  await device.sync();
  const loadSeconds = (performance.now() - tLoad) / 1000;
  const { calibration, evaluation } = texts();
  const rss = rssSampler();
  const weightsBytes = device.memoryStats().bytesLive;
  device.pool.resetPeak();
  const stagePeaks = gpuStagePeaks(device);
  const out = join(mkdtempSync(join(tmpdir(), 'streamline-bench-')), 'out');
  const show = printer();
  const t0 = performance.now();
  const result = await runToDirectory(
    {
      model,
      tokenizer: tokenizer as NonNullable<typeof tokenizer>,
      modelSource: source,
      modelFormat: format,
      calibrationText: calibration,
      calibrationSource: 'tinystories-valid-sample.txt minus heldout.txt',
      evaluationText: evaluation,
      evaluationSource: 'heldout.txt',
      replacement,
      ...quickSettings(),
      onProgress: (e) => {
        rss.sample();
        stagePeaks.onEvent(e);
        show(e);
      },
    },
    out,
  );
  const totalSeconds = (performance.now() - t0) / 1000;
  const peakByStage = stagePeaks.finish();
  const peakGpu = Math.max(...Object.values(peakByStage));
  const peakRss = rss.stop();
  const files = Object.fromEntries(readdirSync(out).map((f) => [f, statSync(join(out, f)).size]));
  rmSync(dirname(out), { recursive: true, force: true });
  const { report } = result;
  const stageOrder = ['calibration', 'scoring', 'pairs', 'training', 'evaluation', 'export'];
  const stages = Object.fromEntries(
    stageOrder.map((s) => [s, round(report.secondsPerStage[s] ?? 0)]),
  );
  return {
    settings: {
      ...STREAMLINE_DEFAULTS,
      ...quickSettings(),
      replacement,
      layersRemoved: report.layersRemoved,
    },
    loadSeconds: round(loadSeconds),
    stageSeconds: stages,
    totalSeconds: round(totalSeconds),
    stagesShare: Object.fromEntries(
      stageOrder.map((s) => [s, round((report.secondsPerStage[s] ?? 0) / totalSeconds, 3)]),
    ),
    gpu: {
      weightsBytes,
      peakBytesLive: peakGpu,
      peakMiB: round(peakGpu / MB),
      peakByStage,
      bytesPooledAtEnd: device.memoryStats().bytesPooled,
    },
    rss: {
      peakSampledMiB: round(peakRss / MB),
      maxRssMiB: round(process.resourceUsage().maxRSS / 1024),
    },
    calibration: report.calibration,
    window: report.window,
    removalWindow: report.removalWindow,
    training: report.training && {
      steps: report.training.stepLoss.length,
      validationLoss: report.training.validationLoss.map((v) => round(v, 5)),
      bestEpoch: report.training.bestEpoch,
      stopped: report.training.stopped,
    },
    perplexity: report.perplexity,
    files,
  };
}

/** One memory-scaling point (in a child process): scoring + pairs + training, 1 epoch. */
async function memoryPoint(factor: number): Promise<Record<string, unknown>> {
  const device = await getDevice();
  const { model, tokenizer } = await loadModelFromPath(modelDir);
  await device.sync();
  const { calibration } = texts();
  const base = Number(process.env.BENCH_SCALE_BASE ?? (quick ? 4 : 16));
  const pairsDir = mkdtempSync(join(tmpdir(), 'streamline-bench-pairs-'));
  let pairBytes = 0;
  const measurePairs = () => {
    for (const d of readdirSync(pairsDir))
      for (const f of readdirSync(join(pairsDir, d)))
        pairBytes = Math.max(pairBytes, statSync(join(pairsDir, d, f)).size);
  };
  const weightsBytes = device.memoryStats().bytesLive;
  const rssAfterLoad = process.memoryUsage().rss;
  const rss = rssSampler();
  device.pool.resetPeak();
  const stagePeaks = gpuStagePeaks(device);
  let stage = '';
  const show = printer();
  const t0 = performance.now();
  const { report } = await streamline({
    model,
    tokenizer: tokenizer as NonNullable<typeof tokenizer>,
    calibrationText: calibration,
    replacement: 'ffn',
    scoringBlocks: quick ? 2 : 16,
    trainingBlocks: base * factor,
    validationBlocks: quick ? 2 : 8,
    epochs: 1,
    ...(quick ? { blockLength: 64, batchSize: 4 } : {}),
    pairStorage: () => FilePairStorage.create(pairsDir),
    onProgress: (e) => {
      rss.sample();
      if (e.stage === 'training' && stage !== 'training') measurePairs(); // the training pair file is complete by now
      stage = e.stage;
      stagePeaks.onEvent(e);
      show(e);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const peakByStage = stagePeaks.finish();
  rmSync(pairsDir, { recursive: true, force: true });
  // What stays allocated once garbage is collected (the child runs with --expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  const retained = process.memoryUsage();
  return {
    factor,
    trainingBlocks: report.calibration.trainingBlocks,
    blockLength: report.calibration.blockLength,
    stageSeconds: Object.fromEntries(
      Object.entries(report.secondsPerStage).map(([k, v]) => [k, round(v)]),
    ),
    totalSeconds: round(seconds),
    window: report.window,
    gpu: {
      weightsBytes,
      peakBytesLive: Math.max(...Object.values(peakByStage)),
      peakByStage,
      bytesPooledAtEnd: device.memoryStats().bytesPooled,
    },
    rss: {
      afterLoadMiB: round(rssAfterLoad / MB),
      peakSampledMiB: round(rss.stop() / MB),
      maxRssMiB: round(process.resourceUsage().maxRSS / 1024),
      afterGcMiB: round(retained.rss / MB),
      heapUsedAfterGcMiB: round(retained.heapUsed / MB),
      arrayBuffersAfterGcMiB: round(retained.arrayBuffers / MB),
    },
    pairFileBytes: pairBytes,
  };
}

function runChild(factor: number): Promise<Record<string, unknown>> {
  return runBenchChild(
    fileURLToPath(import.meta.url),
    { BENCH_CHILD: `memory:${factor}` },
    `memory-scaling child ×${factor}`,
    ['--expose-gc'],
  );
}

function write(section: string, value: unknown): void {
  const file = join(repo, 'bench-results/streamline.json');
  const body = { ...(existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}) };
  const device = process.env.VK_ICD_FILENAMES?.includes('swiftshader')
    ? 'SwiftShader (CPU) via Dawn'
    : 'WebGPU adapter via Dawn';
  body[section] = {
    date: new Date().toISOString(),
    device,
    node: process.version,
    cpus: cpus().length,
    ...(value as object),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  console.error(`wrote ${file} (${section})`);
}

if (mode === 'child') {
  const factor = Number((child as string).split(':')[1]);
  const point = await memoryPoint(factor);
  reportToParent(point);
  process.exit(0);
} else if (mode === 'memory') {
  const points: Record<string, unknown>[] = [];
  for (const factor of [1, 2, 4]) {
    console.error(`memory scaling ×${factor}`);
    const point = await runChild(factor);
    points.push(point);
    console.log(JSON.stringify(point));
  }
  const gpu = points.map((p) => (p.gpu as { peakBytesLive: number }).peakBytesLive);
  const rss = points.map((p) => (p.rss as { maxRssMiB: number }).maxRssMiB);
  const summary = {
    gpuPeakBytes: gpu,
    gpuPeakGrowth: round(Math.max(...gpu) / Math.min(...gpu), 3),
    maxRssMiB: rss,
    rssGrowthMiB: round(Math.max(...rss) - Math.min(...rss)),
    pairFileBytes: points.map((p) => p.pairFileBytes),
  };
  console.log(JSON.stringify(summary, null, 2));
  if (!quick)
    write('memoryScaling', {
      note: 'scoring + pairs + training (1 epoch), ffn, pairs in FilePairStorage, one child process per point',
      points,
      summary,
    });
} else {
  console.error(
    `LLM-Streamline default run (${replacement}) on ${modelDir}${quick ? ' (quick settings)' : ''}`,
  );
  const result = await defaultRun();
  console.log(JSON.stringify(result, null, 2));
  if (!quick) write(replacement === 'ffn' ? 'default' : `default-${replacement}`, result);
}
