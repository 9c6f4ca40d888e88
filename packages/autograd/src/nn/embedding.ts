import type * as T from '@llm-streamline/tensor';
import { embedding } from '../ops/embedding.js';
import type { Variable } from '../variable.js';
import { nextSeed, normal } from './init.js';
import { Module } from './module.js';

export interface EmbeddingOptions {
  /** Standard deviation of the initial weights (default 1, as PyTorch's `nn.Embedding`; HF LLaMA uses 0.02). */
  std?: number;
  seed?: number;
  device?: T.Device;
}

/** A lookup table: integer ids [...] → rows of `weight` [vocab, dim], i.e. [..., dim]. */
export class Embedding extends Module {
  readonly weight: Variable;

  constructor(
    readonly vocabSize: number,
    readonly dim: number,
    { std = 1, seed = nextSeed(), device }: EmbeddingOptions = {},
  ) {
    super();
    this.weight = this.registerParameter('weight', normal([vocabSize, dim], std, { seed, device }));
  }

  forward(ids: T.Tensor): Variable {
    return embedding(this.weight, ids);
  }
}
