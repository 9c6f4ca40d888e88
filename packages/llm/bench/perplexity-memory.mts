/**
 * Peak device memory of perplexity() on a vocabulary-heavy random model (V = 32000, D = 64, two
 * layers; the head is 8 MiB): one batch of 8 blocks × 256 tokens, whose whole logits would be
 * 8·256·32000·4 B = 250 MiB. Prints the peak live bytes above the loaded weights (the pool's
 * `peakBytesLive`, reset after loading), the whole-logits size for comparison, and the mean NLL
 * (a fixed seed: equal across implementations that compute the same thing).
 *
 * Usage (repository root): node scripts/run.mjs node --conditions=@llm-streamline/source \
 *   --import tsx packages/llm/bench/perplexity-memory.mts   (LLMS_ADAPTER=lavapipe for lavapipe)
 */
import { getDevice, seededRandom } from '@llm-streamline/tensor';
import { LlamaForCausalLM, parseHfConfig, perplexity } from '../src/index.js';

const [VOCAB, BATCH, TOKENS] = [32000, 8, 256];
const config = parseHfConfig(
  {
    model_type: 'llama',
    hidden_size: 64,
    intermediate_size: 172,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 4,
    vocab_size: VOCAB,
    max_position_embeddings: TOKENS,
  },
  'config.json',
);
const device = await getDevice();
const model = new LlamaForCausalLM(config, { seed: 1 });
const next = seededRandom(2);
const blocks = Array.from({ length: BATCH }, () =>
  Array.from({ length: TOKENS }, () => Math.floor(next() * VOCAB)),
);

await perplexity(model, blocks.slice(0, 1)); // warm-up: pipelines compiled, pool primed
await device.sync();
const weights = device.memoryStats().bytesLive;
device.pool.resetPeak();
const result = await perplexity(model, blocks, { batchSize: BATCH });
const peak = device.memoryStats().peakBytesLive - weights;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
console.log(`adapter          ${device.adapter.description || device.adapter.device}`);
console.log(`weights          ${mib(weights)}`);
console.log(`peak above them  ${mib(peak)} (${peak} B)`);
console.log(`whole logits     ${mib(BATCH * TOKENS * VOCAB * 4)}`);
console.log(`mean NLL         ${result.meanNll}`);
model.dispose();
