import { type Variable, variable } from '@llm-streamline/autograd';
import type { DecoderBlock, LlamaForCausalLM } from '@llm-streamline/llm';
import { tensor } from '@llm-streamline/tensor';
import type { TrainingObjective } from './objective.js';
import { batchesOf } from './pairs.js';

/**
 * The optional second stage's objective: the language-model loss of the whole pruned model,
 * next-token cross-entropy, with only the replacement trainable. The frozen prefix is not run —
 * its output h_j is the stored pair input — so a step runs the replacement, the layers after the
 * window (`suffix`), the final norm and the head, and backpropagates through all of them to the
 * replacement. Their parameters must be frozen by the caller (see withFrozen) so no gradient is
 * accumulated for them. The norm, head and loss are the model's `nextTokenLoss`, which computes the
 * logits chunk by chunk, so a step never holds the [rows, length, vocab] logits.
 *
 * `blocks` are the token ids of the training and validation blocks, in the order their pairs were
 * stored (batches of `batchSize`), so pair batch i of a split lines up with its ids.
 */
export function lmObjective(
  model: LlamaForCausalLM,
  suffix: readonly DecoderBlock[],
  blocks: { training: readonly number[][]; validation: readonly number[][] },
  batchSize: number,
): TrainingObjective {
  const batches = {
    training: batchesOf(blocks.training, batchSize),
    validation: batchesOf(blocks.validation, batchSize),
  };
  return {
    name: 'lm',
    loss(module, pair, { split, index, start, rows }) {
      const ids = (batches[split][index] ?? []).slice(start, start + rows);
      const length = (ids[0] as number[]).length;
      const context = model.layerContext(0);
      let h: Variable = module.forward(variable(pair.input.narrow(0, start, rows)), context);
      for (const layer of suffix) h = layer.forward(h, context);
      return model.nextTokenLoss(h, tensor(Int32Array.from(ids.flat()), [rows, length]));
    },
  };
}
