import type * as T from '@llm-streamline/tensor';
import { rmsNorm } from '../ops/rms-norm.js';
import type { Variable } from '../variable.js';
import { ones, type ParameterInit, parameterTensor } from './init.js';
import { Module } from './module.js';

export interface RMSNormOptions {
  /** `'empty'`: no initial values, for weights about to be loaded (see {@link ParameterInit}). */
  init?: ParameterInit;
  device?: T.Device;
}

/** LLaMA's RMSNorm over the last axis, with a learned per-channel `weight` starting at 1. */
export class RMSNorm extends Module {
  readonly weight: Variable;

  constructor(
    readonly dim: number,
    /** Added to the mean square; LLaMA configs call it `rms_norm_eps` (1e-5 or 1e-6). */
    readonly eps = 1e-6,
    { init = 'default', device }: RMSNormOptions = {},
  ) {
    super();
    this.weight = this.registerParameter(
      'weight',
      parameterTensor([dim], init, () => ones([dim], device), device),
    );
  }

  forward(x: Variable): Variable {
    return rmsNorm(x, this.weight, this.eps);
  }
}
