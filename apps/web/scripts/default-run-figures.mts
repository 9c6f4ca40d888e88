/**
 * The web app's default run, in Node: stories260K with the form's defaults (FORM_DEFAULTS, n = 1,
 * the bundled calibration text, the first evaluation blocks of tinystories-12L's held-out text, as
 * pipeline-runner.ts cuts them), through the same `streamline()` the page calls. Prints the
 * perplexities of the original, plain-removal and replaced models, the validation losses, and which
 * model was kept. Issue 16: this run used to export 8.02 against plain removal's 4.89.
 *
 * Usage (from the repository root):
 *   node scripts/run.mjs node --conditions=@llm-streamline/source --import tsx \
 *     apps/web/scripts/default-run-figures.mts [--keep best|replaced|removal] [--seed N] [--epochs N]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { bytesByteSource, loadLlama2cModel } from '@llm-streamline/llm';
import { type KeepChoice, streamline, trainingSteps } from '@llm-streamline/streamline';
import { getDevice } from '@llm-streamline/tensor';
import { firstBlocksOf } from '../src/pipeline-runner.js';
import { FORM_DEFAULTS } from '../src/settings-fields.js';

const { values } = parseArgs({
  options: { keep: { type: 'string' }, seed: { type: 'string' }, epochs: { type: 'string' } },
});
const assets = new URL('../../cli/assets/', import.meta.url);
const read = (path: string) => readFile(new URL(path, assets));

await getDevice();
const [bin, tok, calibrationText, heldout] = await Promise.all([
  read('stories260K/stories260K.bin'),
  read('stories260K/tok512.bin'),
  read('text/tinystories-calibration.txt').then(String),
  read('tinystories-12L/heldout.txt').then(String),
]);
const { model, tokenizer } = await loadLlama2cModel(
  bytesByteSource(bin, 'stories260K.bin'),
  bytesByteSource(tok, 'tok512.bin'),
);
if (!tokenizer) throw new Error('stories260K: no tokenizer');
const options = {
  ...FORM_DEFAULTS,
  ...(values.keep ? { keep: values.keep as KeepChoice } : {}),
  ...(values.seed ? { seed: Number(values.seed) } : {}),
  // The preset before issue 16 trained 2 epochs (16 steps): `--epochs 2` shows that run.
  ...(values.epochs ? { epochs: Number(values.epochs) } : {}),
};
const { blockLength, evaluationBlocks } = options;
const started = performance.now();
const { report } = await streamline({
  model,
  tokenizer,
  calibrationText,
  evaluationText: firstBlocksOf(heldout, tokenizer, blockLength, evaluationBlocks),
  evaluationSource: `tinystories-12L/heldout.txt (first ${evaluationBlocks} blocks)`,
  target: { layers: 1 },
  ...options,
  evaluationBlocks: Number.POSITIVE_INFINITY,
  onWarning: (w) => console.warn(`warning: ${w}`),
});
const p = report.perplexity;
const k = report.keep;
const fmt = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(3));
console.log(
  [
    `settings: ${JSON.stringify(options)}`,
    `training steps: ${trainingSteps(options)}; best epoch ${report.training?.bestEpoch}; validation MSE ${report.training?.validationLoss.map((x) => x.toPrecision(4)).join(' → ')}`,
    `window replaced: ${JSON.stringify(report.window)}; removal window: ${JSON.stringify(report.removalWindow)}`,
    `perplexity on ${p?.blocks} blocks: original ${fmt(p?.original)}, plain removal ${fmt(p?.none)}, replaced (${report.replacement.kind}) ${fmt(p?.replaced)}`,
    `validation loss: removal ${fmt(k?.validationLoss?.removal)}, replaced ${fmt(k?.validationLoss?.replaced)} (${k?.validationLoss?.blocks} blocks)`,
    `kept: ${k?.kept} (keep ${k?.mode}): ${k?.reason}${k?.advice ? `\nadvice: ${k.advice}` : ''}`,
    `exported: ${report.result.layers} layers, ${report.result.parameters} parameters; ${((performance.now() - started) / 1000).toFixed(0)} s`,
  ].join('\n'),
);
model.dispose();
