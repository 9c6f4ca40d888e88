import { getDevice } from '@llm-streamline/tensor';
import { loadModelFromPath, DirectorySink } from '@llm-streamline/llm/node';
import { streamline, saveStreamlined } from '../src/index.ts';
import { FilePairStorage } from '../src/node.ts';
import fs from 'node:fs';
await getDevice();
const kind = process.argv[2] ?? 'ffn';
const { model, tokenizer, source, format } = await loadModelFromPath('/work/shared/data/stories260K/stories260K.bin');
const text = fs.readFileSync('/work/shared/data/text/tinystories-valid-sample.txt', 'utf8');
const t0 = performance.now();
let last = '';
const result = await streamline({
  model, tokenizer, modelSource: source, modelFormat: format,
  calibrationText: text.slice(0, 200000), evaluationText: text.slice(700000, 740000),
  target: { layers: 1 }, replacement: kind, blockLength: 128, scoringBlocks: 16, trainingBlocks: 32, validationBlocks: 8, epochs: 2,
  pairStorage: () => FilePairStorage.create(),
  onProgress: (e) => { const s = `${e.stage} ${e.message ?? ''}`; if (s !== last) { console.log(s, e.total); last = s; } },
});
console.log(JSON.stringify({ ...result.report, scores: result.report.scores, training: result.report.training && { ...result.report.training, stepLoss: result.report.training.stepLoss.length } }, null, 1));
console.log('total s', (performance.now() - t0) / 1000);
fs.rmSync('/tmp/out260', { recursive: true, force: true });
const sink = await DirectorySink.create('/tmp/out260');
await saveStreamlined(result, sink);
await sink.commit();
console.log(fs.readdirSync('/tmp/out260'));
