/**
 * LLM-Streamline on stories260K (5 layers), small settings: removes one layer net (a window of two
 * replaced by one FFN), trains it for one epoch, compares perplexities and writes a Hugging Face
 * checkpoint plus streamline.json to the folder given as argument (default: stories260K-streamlined
 * in the system's temporary folder), replacing it if it exists. From the repository root:
 *
 *   node scripts/run.mjs node --conditions=@llm-streamline/source --import tsx \
 *     packages/streamline/examples/stories260k.ts [output-folder]
 *
 * About 20 s on a CPU (SwiftShader). Set SHARED_DATA if the data is not in ../shared/data.
 *
 * Expect the replaced model to do worse than plain removal here: the window it replaces has two
 * layers (plain removal takes one), and one epoch on 32 blocks is very little training. On
 * tinystories-12L with the default settings (see bench/pipeline.mts), ffn beats plain removal.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { splitDocuments } from '@llm-streamline/llm';
import { loadModelFromPath } from '@llm-streamline/llm/node';
import { runToDirectory } from '@llm-streamline/streamline/node';
import { getDevice } from '@llm-streamline/tensor';

const data = resolve(
  process.env.SHARED_DATA ?? join(import.meta.dirname, '../../../../shared/data'),
);
await getDevice();
const { model, tokenizer, source, format } = await loadModelFromPath(
  join(data, 'stories260K/stories260K.bin'),
);
if (!tokenizer) throw new Error('stories260K: tok512.bin not found beside the checkpoint');

const paragraphs = splitDocuments(
  readFileSync(join(data, 'text/tinystories-valid-sample.txt'), 'utf8'),
);
const { report, outDir } = await runToDirectory(
  {
    model,
    tokenizer,
    modelSource: source,
    modelFormat: format,
    calibrationText: paragraphs.slice(0, 400).join('\n\n'),
    calibrationSource: 'tinystories-valid-sample.txt, paragraphs 0–399',
    evaluationText: paragraphs.slice(4000, 4040).join('\n\n'),
    evaluationSource: 'tinystories-valid-sample.txt, paragraphs 4000–4039',
    target: { layers: 1 },
    replacement: 'ffn',
    blockLength: 128,
    scoringBlocks: 16,
    trainingBlocks: 32,
    validationBlocks: 8,
    epochs: 1,
    onProgress: (e) =>
      process.stderr.write(`\r${e.stage} ${e.message ?? ''} ${e.done}/${e.total}    `),
  },
  process.argv[2] ?? join(tmpdir(), 'stories260K-streamlined'),
  { force: true },
);
process.stderr.write('\n');
console.log(
  `cosine scores of 2-layer windows: ${report.scores['2']?.map((s) => s.toFixed(3)).join(' ')}`,
);
console.log(
  `replaced layers ${report.window.start}–${report.window.start + report.window.size - 1} with one ${report.replacement.kind} block`,
);
console.log(
  `perplexity: original ${report.perplexity?.original?.toFixed(2)}, layer removed ${report.perplexity?.none?.toFixed(2)}, replaced ${report.perplexity?.replaced?.toFixed(2)}`,
);
console.log(
  `${report.model.layers} → ${report.result.layers} layers, ${report.model.parameters} → ${report.result.parameters} parameters; written to ${outDir}`,
);
