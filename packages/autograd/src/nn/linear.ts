import * as T from '@llm-streamline/tensor';
import { linear } from '../ops/linear.js';
import type { Variable } from '../variable.js';
import { kaimingUniform, nextSeed, type ParameterInit, parameterTensor } from './init.js';
import { Module } from './module.js';

export interface LinearOptions {
  /** Add a learned bias (default true, as PyTorch; LLaMA's projections use false). */
  bias?: boolean;
  /** Seed of the initial weights (default: the next of {@link nextSeed}'s sequence). */
  seed?: number;
  /** `'empty'`: no initial values, for weights about to be loaded (see {@link ParameterInit}). */
  init?: ParameterInit;
  device?: T.Device;
}

/**
 * y = x·Wᵀ + b, with W stored [out, in] as PyTorch and Hugging Face store it (so checkpoints
 * load without transposes). Initialised like PyTorch's `nn.Linear`: W and b ~ U(±1/√in).
 */
export class Linear extends Module {
  readonly weight: Variable;
  readonly bias: Variable | undefined;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    { bias = true, seed = nextSeed(), init = 'default', device }: LinearOptions = {},
  ) {
    super();
    this.weight = this.registerParameter(
      'weight',
      parameterTensor(
        [outFeatures, inFeatures],
        init,
        () => kaimingUniform([outFeatures, inFeatures], { seed, device }),
        device,
      ),
    );
    // The bias's bound also comes from fan-in, as in PyTorch; a derived seed keeps it independent of W.
    this.bias = bias
      ? this.registerParameter(
          'bias',
          parameterTensor(
            [outFeatures],
            init,
            () => kaimingUniform([outFeatures], { seed: seed ^ 0x2545f491, device }, inFeatures),
            device,
          ),
        )
      : undefined;
  }

  /** x [..., in] → [..., out] (see {@link linear}). */
  forward(x: Variable): Variable {
    const inDim = x.shape[x.shape.length - 1];
    if (inDim !== this.inFeatures) {
      throw new RangeError(
        `Linear(${this.inFeatures} → ${this.outFeatures}): input ${T.formatShape(x.shape)} must end in ${this.inFeatures}`,
      );
    }
    return linear(x, this.weight, this.bias);
  }
}
