/** Logits of a model for one token sequence, in Node (the reference side of the comparison). */
import type { LlamaForCausalLM } from '@llm-streamline/llm';
import { data, scope, type Tensor, tensor } from '@llm-streamline/tensor';

export function logitsOf(model: LlamaForCausalLM, ids: readonly number[]): Promise<number[]> {
  return scope(async () => {
    const logits = model.forward(tensor(Int32Array.from(ids), [1, ids.length])).logits as Tensor;
    return Array.from((await data(logits)) as Float32Array);
  });
}
