import type * as T from '@llm-streamline/tensor';
import { embedding } from '../ops/embedding.js';
import type { Variable } from '../variable.js';
import { nextSeed, normal, type ParameterInit, parameterTensor } from './init.js';
import { Module } from './module.js';

export interface EmbeddingOptions {
  /** Standard deviation of the initial weights (default 1, as PyTorch's `nn.Embedding`; HF LLaMA uses 0.02). */
  std?: number;
  seed?: number;
  /** `'empty'`: no initial values, for weights about to be loaded (see {@link ParameterInit}). */
  init?: ParameterInit;
  device?: T.Device;
}

/** A lookup table: integer ids [...] → rows of `weight` [vocab, dim], i.e. [..., dim]. */
export class Embedding extends Module {
  readonly weight: Variable;

  constructor(
    readonly vocabSize: number,
    readonly dim: number,
    { std = 1, seed = nextSeed(), init = 'default', device }: EmbeddingOptions = {},
  ) {
    super();
    const shape = [vocabSize, dim];
    this.weight = this.registerParameter(
      'weight',
      parameterTensor(shape, init, () => normal(shape, std, { seed, device }), device),
    );
  }

  forward(ids: T.Tensor): Variable {
    return embedding(this.weight, ids);
  }
}
