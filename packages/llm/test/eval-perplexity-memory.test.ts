/**
 * perplexity() scores through the model's nextTokenLoss, whose logits are computed a chunk of
 * positions at a time. On a small random model with a large vocabulary relative to its width, the
 * device's peak live bytes while scoring a batch must stay far below the batch's whole logits
 * (B·T·V·4 bytes; the previous implementation held them twice), and the result must not depend
 * on the chunk size. The values themselves are checked against references on real models in
 * eval-perplexity-variants and model-tinystories.
 */
import { variable } from '@llm-streamline/autograd';
import { getDevice, seededRandom, tensor } from '@llm-streamline/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHfConfig } from '../src/config/llama-config.js';
import { perplexity } from '../src/eval/perplexity.js';
import { LlamaForCausalLM } from '../src/model/llama-model.js';

const [VOCAB, BATCH, TOKENS] = [2048, 4, 64];

describe('perplexity memory (a vocabulary-heavy random model)', () => {
  let model: LlamaForCausalLM;
  let blocks: number[][];

  beforeAll(async () => {
    await getDevice();
    const config = parseHfConfig(
      {
        model_type: 'llama',
        hidden_size: 16,
        intermediate_size: 32,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        num_key_value_heads: 2,
        vocab_size: VOCAB,
        max_position_embeddings: TOKENS,
      },
      'config.json',
    );
    model = new LlamaForCausalLM(config, { seed: 5 });
    const next = seededRandom(6);
    blocks = Array.from({ length: BATCH }, () =>
      Array.from({ length: TOKENS }, () => Math.floor(next() * VOCAB)),
    );
  });
  afterAll(() => model?.dispose());

  it('peaks far below the whole logits of the batch, whatever the chunk size', async () => {
    const device = await getDevice();
    const chunked = { batchSize: BATCH, chunkRows: 16 };
    await perplexity(model, blocks, chunked); // warm-up: the pool holds what a batch reuses
    await device.sync();
    const before = device.memoryStats().bytesLive;
    device.pool.resetPeak();
    const result = await perplexity(model, blocks, chunked);
    const peak = device.memoryStats().peakBytesLive - before;
    const wholeLogits = BATCH * TOKENS * VOCAB * 4; // 2 MiB; a 16-row chunk is 128 KiB
    expect(peak).toBeLessThan(wholeLogits / 4);
    // One chunk for every row (the unchunked computation) gives the same perplexity.
    const unchunked = await perplexity(model, blocks, { batchSize: BATCH, chunkRows: 4096 });
    expect(result.meanNll).toBeCloseTo(unchunked.meanNll, 5);
    expect(result.tokensScored).toBe(BATCH * (TOKENS - 1));
  });

  it('nextTokenLoss rejects ids that do not match the hidden states, naming both', () => {
    const h = variable(tensor(new Float32Array(2 * 5 * 16), [2, 5, 16]));
    const ids = tensor(new Int32Array(2 * 4), [2, 4]);
    expect(() => model.nextTokenLoss(h, ids)).toThrow(
      /expected hidden states \[B, T, 16\] and token ids \[B, T\] with T ≥ 2, got hidden states \[2, 5, 16\] and ids \[2, 4\]/,
    );
    h.dispose();
    ids.dispose();
  });
});
