import { mseLoss, type Variable, variable } from '@llm-streamline/autograd';
import type { DecoderBlock, LlamaForCausalLM } from '@llm-streamline/llm';
import type { PairBatch } from './pairs.js';

/** Which pairs a loss is computed on: they differ only in the token ids an objective may need. */
export type PairSplit = 'training' | 'validation';

/**
 * What the replacement is trained to minimise on a slice of a pair batch. Step 5 uses
 * {@link mseObjective}; the optional second stage uses the language-model loss
 * (training/lm-objective.ts). One trainer (trainReplacement) serves both.
 */
export interface TrainingObjective {
  /** Short name for reports ("mse", "lm"). */
  readonly name: string;
  /**
   * Mean loss of `module` on rows `start … start + rows − 1` of pair batch `index` of `split`
   * (differentiable with respect to the module's parameters).
   */
  loss(
    module: DecoderBlock,
    pair: PairBatch,
    at: { split: PairSplit; index: number; start: number; rows: number },
  ): Variable;
}

/** The paper's objective: MSE(module(h_j), h_{j+m}). */
export function mseObjective(model: LlamaForCausalLM): TrainingObjective {
  return {
    name: 'mse',
    loss: (module, pair, { start, rows }) =>
      mseLoss(
        module.forward(variable(pair.input.narrow(0, start, rows)), model.layerContext(0)),
        variable(pair.target.narrow(0, start, rows)),
      ),
  };
}
