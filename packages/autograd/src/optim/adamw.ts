import type * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { Optimizer } from './optimizer.js';
import { runUpdate, type UpdateProgram } from './update-kernel.js';

export interface AdamWOptions {
  /** Default 1e-3. */
  lr?: number;
  /** Decay rates of the first and second moment estimates. Default [0.9, 0.999]. */
  betas?: readonly [number, number];
  /** Added to the denominator. Default 1e-8. */
  eps?: number;
  /** Decoupled weight decay. Default 1e-2 (PyTorch's default). */
  weightDecay?: number;
}

/**
 * The whole AdamW step in one kernel per parameter, in PyTorch's order:
 *   p ← p·(1 − lr·wd)                      decoupled decay, on the parameter not the gradient
 *   m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²
 *   p ← p − (lr / (1−β₁ᵗ)) · m / (√v / √(1−β₂ᵗ) + ε)
 * The bias corrections depend only on the step count, so they are computed here on the CPU and
 * passed in as scalars.
 */
const ADAMW: UpdateProgram = {
  name: 'adamw_step',
  scalars: ['decay', 'beta1', 'beta2', 'step_size', 'inv_sqrt_bc2', 'eps'],
  state: ['m', 'v'],
  body: `let m1 = beta1 * m[i] + (1.0 - beta1) * grad;
  let v1 = beta2 * v[i] + (1.0 - beta2) * grad * grad;
  m[i] = m1;
  v[i] = v1;
  next = param * decay - step_size * m1 / (sqrt(v1) * inv_sqrt_bc2 + eps);`,
};

/** Adam with decoupled weight decay (Loshchilov & Hutter), matching `torch.optim.AdamW`. */
export class AdamW extends Optimizer {
  readonly betas: readonly [number, number];
  readonly eps: number;
  weightDecay: number;
  protected get stateCount(): number {
    return 2;
  }
  /** Per-parameter step counts: a parameter skipped on some steps (no gradient) has its own t, as in PyTorch. */
  private readonly steps = new Map<Variable, number>();

  constructor(
    params: Iterable<Variable>,
    { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 1e-2 }: AdamWOptions = {},
  ) {
    super(params, lr);
    if (!betas.every((b) => b >= 0 && b < 1))
      throw new RangeError(`AdamW: betas must lie in [0, 1), got [${betas.join(', ')}]`);
    this.betas = betas;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  protected update(p: Variable, grad: T.Tensor, state: T.Tensor[]): T.Tensor {
    const t = (this.steps.get(p) ?? 0) + 1;
    this.steps.set(p, t);
    const [beta1, beta2] = this.betas;
    const bc1 = 1 - beta1 ** t;
    const bc2 = 1 - beta2 ** t;
    return runUpdate(ADAMW, p.value, grad, state, [
      1 - this.lr * this.weightDecay,
      beta1,
      beta2,
      this.lr / bc1,
      1 / Math.sqrt(bc2),
      this.eps,
    ]);
  }
}
