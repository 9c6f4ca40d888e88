/**
 * Load stories260K (llama2.c checkpoint; tok512.bin beside it is found automatically) and stream
 * a story, greedy and then sampled like llama2.c's run.c.
 * Usage (from packages/llm): node ../../scripts/run.mjs node --conditions=@llm-streamline/source \
 *   --import tsx examples/generate.mts [path to stories260K.bin]
 */

import { generate } from '@llm-streamline/llm';
import { loadModelFromPath } from '@llm-streamline/llm/node';
import { getDevice } from '@llm-streamline/tensor';

const path = process.argv[2] ?? '../../../shared/data/stories260K/stories260K.bin';
await getDevice(); // WebGPU: Dawn in Node, navigator.gpu in browsers
const { model, tokenizer } = await loadModelFromPath(path);
if (!tokenizer) throw new Error('no tokenizer next to the checkpoint');

for (const options of [
  { temperature: 0 }, // greedy
  { temperature: 1, topP: 0.9, seed: 42 }, // run.c -t 1.0 -p 0.9 -s 42
]) {
  const prompt = tokenizer.encode('Once upon a time', { bos: true });
  let prev = prompt[prompt.length - 1] as number;
  process.stdout.write(`\n${JSON.stringify(options)}\nOnce upon a time`);
  for await (const id of generate(model, prompt, {
    ...options,
    steps: 96,
    stopIds: [tokenizer.bosId, tokenizer.eosId],
  })) {
    process.stdout.write(tokenizer.decodeToken(prev, id));
    prev = id;
  }
  process.stdout.write('\n');
}
model.dispose();
