/**
 * The fidelity experiment of the streamline issue: LLM-Streamline on the bundled tinystories-12L
 * with n = 3 (a quarter of its layers), calibrated on TinyStories text that is not in its
 * heldout.txt and evaluated on heldout.txt (149 blocks of 256, as reference.json defines), with the
 * settings of the independent PyTorch run: 64 scoring and 256 training blocks of 256 tokens,
 * 4 epochs, batch 8, AdamW lr 1e-3 → 1e-4 cosine, weight decay 1e-3, clipping 1.0.
 *
 * Run: node scripts/run.mjs node --conditions=@llm-streamline/source --import tsx \
 *        packages/streamline/experiments/tinystories-12l.mts [kinds…]
 * Writes bench-results/fidelity.json.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type LlamaForCausalLM,
  loadHfModel,
  MemorySink,
  memoryModelDirectory,
  packBlocks,
  splitDocuments,
  type Tokenizer,
} from '@llm-streamline/llm';
import { loadModelFromPath } from '@llm-streamline/llm/node';
import * as T from '@llm-streamline/tensor';
import { getDevice, scope, type Tensor, tensor } from '@llm-streamline/tensor';
import { type StreamlineResult, saveStreamlined, streamline } from '../src/index.js';
import { FilePairStorage } from '../src/node.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const data = process.env.SHARED_DATA ?? resolve(repo, '../shared/data');
const modelDir = join(data, 'tinystories-12L');
const heldout = readFileSync(join(modelDir, 'heldout.txt'), 'utf8');
const heldoutDocs = new Set(splitDocuments(heldout));
const calibration = splitDocuments(
  readFileSync(join(data, 'text/tinystories-valid-sample.txt'), 'utf8'),
)
  .filter((d) => !heldoutDocs.has(d))
  .join('\n\n');

const reference: Record<string, number> = {
  original: 6.32,
  none: 10.27,
  layer: 8.05,
  ffn: 9.02,
  linear: 10.04,
};
const kinds =
  process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['none', 'layer', 'ffn', 'linear'];
await getDevice();
const rows: Record<string, unknown>[] = [];
let original: number | undefined;
for (const kind of kinds) {
  const { model, tokenizer } = await loadModelFromPath(modelDir);
  const t0 = performance.now();
  const { report } = await streamline({
    model,
    tokenizer,
    modelSource: modelDir,
    calibrationText: calibration,
    calibrationSource: 'tinystories-valid-sample.txt minus heldout.txt',
    evaluationText: heldout,
    evaluationSource: 'heldout.txt',
    target: { layers: 3 },
    // The settings of the independent PyTorch run (not the smaller CPU defaults).
    scoringBlocks: 64,
    trainingBlocks: 256,
    validationBlocks: 16,
    evaluationBlocks: Number.POSITIVE_INFINITY,
    replacement: kind,
    compareBaselines: original === undefined || kind === 'none',
    pairStorage: () => FilePairStorage.create(),
    onProgress: (e) => {
      if (e.stage === 'training' && e.validationLoss !== undefined)
        console.log(`  ${kind} epoch ${e.epoch}: validation MSE ${e.validationLoss.toFixed(5)}`);
    },
  });
  const reload = await reloadDifference({ report, model }, tokenizer as Tokenizer);
  console.log(`  ${kind}: exported checkpoint vs in-memory model, max |Δlogit| = ${reload}`);
  original ??= report.perplexity?.original;
  const ppl = kind === 'none' ? report.perplexity?.none : report.perplexity?.replaced;
  const row = {
    kind,
    window: `${report.window.start}…${report.window.start + report.window.size - 1} (m=${report.window.size})`,
    perplexity: ppl,
    reference: reference[kind],
    ratio: ppl && reference[kind] ? ppl / (reference[kind] as number) : undefined,
    seconds: (performance.now() - t0) / 1000,
    timings: report.secondsPerStage,
    reloadMaxAbsLogitDifference: reload,
    scores: report.scores,
    training: report.training && {
      validationLoss: report.training.validationLoss,
      bestEpoch: report.training.bestEpoch,
    },
  };
  console.log(JSON.stringify(row));
  rows.push(row);
  model.dispose();
}
/**
 * Saves the pruned model as a Hugging Face checkpoint (in memory), reloads it, and returns the
 * largest logit difference from the in-memory model on two held-out blocks (0 means exact).
 */
async function reloadDifference(
  result: StreamlineResult,
  tokenizer: Tokenizer,
): Promise<number | string> {
  const sink = new MemorySink();
  const extraFiles = new Map([
    ['tokenizer.json', new Uint8Array(readFileSync(join(modelDir, 'tokenizer.json')))],
  ]);
  const { checkpoint } = await saveStreamlined(result, sink, { extraFiles });
  if (!checkpoint) return 'not exportable';
  const reloaded = await loadHfModel(memoryModelDirectory(Object.fromEntries(sink.files)));
  const blocks = packBlocks(heldout, tokenizer, 256).slice(0, 2);
  const logits = (m: LlamaForCausalLM) =>
    scope(async () =>
      T.data(m.forward(tensor(Int32Array.from(blocks.flat()), [2, 256])).logits as Tensor),
    );
  const [a, b] = [await logits(result.model), await logits(reloaded.model)];
  reloaded.model.dispose();
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}

console.log(`original perplexity ${original?.toFixed(3)} (reference 6.32)`);
console.table(
  rows.map(({ kind, window, perplexity, reference: ref, ratio, seconds }) => ({
    kind,
    window,
    perplexity,
    reference: ref,
    ratio,
    seconds,
  })),
);
mkdirSync(join(repo, 'bench-results'), { recursive: true });
writeFileSync(
  join(repo, 'bench-results/fidelity.json'),
  `${JSON.stringify({ original, rows }, null, 2)}\n`,
);
