import { data, scope, tensor } from '@llm-streamline/tensor';
import type { LlamaForCausalLM } from '../model/llama-model.js';
import { Sampler, type SamplerOptions } from './sampler.js';

export interface GenerateOptions extends SamplerOptions {
  /**
   * Forward passes, prompt positions included (llama2.c's `-n steps`): a prompt of P tokens yields at
   * most `steps − P + 1` new tokens. Default and maximum: the model's context length.
   */
  steps?: number;
  /** Token ids that end generation (not emitted). Default: the config's EOS id(s). */
  stopIds?: readonly number[];
  /** Checked before each new token; return true to stop early (cancellation). */
  shouldStop?: () => boolean;
}

/**
 * Streams generated token ids after `promptIds` (which should start with BOS). The prompt is run
 * in one batched pass that fills a KV cache; each new token then costs one single-position pass.
 * Stops at a stop id, after `steps` positions, or when `shouldStop` says so.
 */
export async function* generate(
  model: LlamaForCausalLM,
  promptIds: readonly number[],
  options: GenerateOptions = {},
): AsyncGenerator<number> {
  if (promptIds.length === 0)
    throw new RangeError('generate: the prompt must hold at least one token (BOS)');
  const steps = Math.min(
    options.steps ?? model.config.maxPositionEmbeddings,
    model.config.maxPositionEmbeddings,
  );
  const eos = model.config.eosTokenId;
  const stopIds = options.stopIds ?? (Array.isArray(eos) ? eos : [eos]);
  const sampler = new Sampler(options);
  const cache = model.createKvCache(1, Math.max(steps, promptIds.length));
  try {
    let input = [...promptIds];
    // `position` is that of the last input token; its logits choose the token after it.
    for (let position = promptIds.length - 1; position < steps; position++) {
      if (options.shouldStop?.()) return;
      const logits = await scope(async () => {
        const ids = tensor(Int32Array.from(input), [1, input.length]);
        const out = model.forward(ids, { cache, lastPositionOnly: true }).logits;
        return (out && (await data(out))) as Float32Array;
      });
      const next = sampler.sample(logits);
      if (stopIds.includes(next)) return;
      yield next;
      input = [next];
    }
  } finally {
    cache.dispose();
  }
}
