import * as T from '@llm-streamline/tensor';
import { mul, silu } from '../ops/pointwise.js';
import type { Variable } from '../variable.js';
import { nextSeed, type ParameterInit } from './init.js';
import { Linear } from './linear.js';
import { Module } from './module.js';

export interface SwiGLUOptions {
  /** Seed of the first projection; the others use seed + 1 and seed + 2. */
  seed?: number;
  /** Give the three projections biases (HF `mlp_bias`). Default false. */
  bias?: boolean;
  /** `'empty'`: no initial values, for weights about to be loaded (see {@link ParameterInit}). */
  init?: ParameterInit;
  device?: T.Device;
}

/**
 * LLaMA's feed-forward block: down(silu(gate(x)) ⊙ up(x)), three projections (bias-free unless
 * `bias`) named as in Hugging Face checkpoints (`gate_proj`, `up_proj`: dim → hidden; `down_proj`:
 * hidden → dim).
 */
export class SwiGLU extends Module {
  readonly gateProj: Linear;
  readonly upProj: Linear;
  readonly downProj: Linear;

  constructor(
    readonly dim: number,
    readonly hidden: number,
    { seed = nextSeed(), bias = false, init = 'default', device }: SwiGLUOptions = {},
  ) {
    super();
    this.gateProj = this.registerModule(
      'gate_proj',
      new Linear(dim, hidden, { bias, seed, init, device }),
    );
    this.upProj = this.registerModule(
      'up_proj',
      new Linear(dim, hidden, { bias, seed: seed + 1, init, device }),
    );
    this.downProj = this.registerModule(
      'down_proj',
      new Linear(hidden, dim, { bias, seed: seed + 2, init, device }),
    );
  }

  forward(x: Variable): Variable {
    return T.scope(() =>
      this.downProj.forward(mul(silu(this.gateProj.forward(x)), this.upProj.forward(x))),
    );
  }
}
