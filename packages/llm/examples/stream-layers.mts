// examples/stream-layers.mts — a model larger than its device memory budget, streamed layer by
// layer. Run from packages/llm with:
//   node ../../scripts/run.mjs node --conditions=@llm-streamline/source --import tsx examples/stream-layers.mts
import { readFile } from 'node:fs/promises';
import { formatByteSize, packBlocks, parseByteSize, perplexity } from '@llm-streamline/llm';
import { loadModelFromPath } from '@llm-streamline/llm/node';
import { getDevice } from '@llm-streamline/tensor';

await getDevice();
const dir = '../../../shared/data/tinystories-12L'; // 9.26 MiB of f32 weights
const batch = { batchSize: 4, blockLength: 128 }; // the batches the budget must also hold
const { model, tokenizer } = await loadModelFromPath(dir, {
  deviceMemory: { budgetBytes: parseByteSize('12MiB'), ...batch },
});
if (!tokenizer) throw new Error(`${dir}: no tokenizer`);
const plan = model.memoryPlan?.record();
if (plan)
  console.log(
    `${plan.mode}: ${formatByteSize(plan.weightsBytes)} of weights, ${formatByteSize(plan.residentBytes)} resident; ` +
      `a streamed run of these batches needs at least ${formatByteSize(plan.minimumBytes)}`,
  );
const text = await readFile(`${dir}/heldout.txt`, 'utf8');
const blocks = packBlocks(text, tokenizer, batch.blockLength).slice(0, 16);
const result = await perplexity(model, blocks, { batchSize: batch.batchSize });
const stats = model.weightStream?.stats;
console.log(
  `perplexity ${result.perplexity.toFixed(4)}` +
    (stats ? `; uploaded ${formatByteSize(stats.bytesUploaded)} in ${stats.fetches} fetches` : ''),
);
model.dispose();
