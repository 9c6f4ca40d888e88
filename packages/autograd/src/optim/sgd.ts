import type * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { Optimizer } from './optimizer.js';
import { runUpdate, type UpdateProgram } from './update-kernel.js';

export interface SGDOptions {
  lr: number;
  /** Momentum factor (0: plain SGD). Default 0. */
  momentum?: number;
  /** Dampening of the momentum's gradient term. Default 0. */
  dampening?: number;
  /** L2 penalty added to the gradient (coupled, as in `torch.optim.SGD`). Default 0. */
  weightDecay?: number;
  /** Nesterov momentum. Default false. */
  nesterov?: boolean;
}

/**
 * `torch.optim.SGD` in one kernel: d = g + wd·p; with momentum, buf ← d on the first step and
 * μ·buf + (1 − dampening)·d after, then d = buf (or d + μ·buf for Nesterov); p ← p − lr·d.
 */
const SGD_MOMENTUM: UpdateProgram = {
  name: 'sgd_momentum_step',
  scalars: ['lr', 'weight_decay', 'momentum', 'dampening', 'first', 'nesterov'],
  state: ['buf'],
  body: `let d = grad + weight_decay * param;
  let b = select(momentum * buf[i] + (1.0 - dampening) * d, d, first != 0.0);
  buf[i] = b;
  next = param - lr * select(b, d + momentum * b, nesterov != 0.0);`,
};

/** Plain SGD needs no state (no momentum buffer to allocate). */
const SGD_PLAIN: UpdateProgram = {
  name: 'sgd_step',
  scalars: ['lr', 'weight_decay'],
  state: [],
  body: 'next = param - lr * (grad + weight_decay * param);',
};

/** Stochastic gradient descent with optional momentum, matching `torch.optim.SGD`. */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  weightDecay: number;
  readonly nesterov: boolean;
  private readonly started = new Set<Variable>();

  constructor(
    params: Iterable<Variable>,
    { lr, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false }: SGDOptions,
  ) {
    super(params, lr);
    if (nesterov && (momentum <= 0 || dampening !== 0))
      throw new RangeError('SGD: Nesterov momentum needs momentum > 0 and dampening 0');
    this.momentum = momentum;
    this.dampening = dampening;
    this.weightDecay = weightDecay;
    this.nesterov = nesterov;
  }

  protected get stateCount(): number {
    return this.momentum !== 0 ? 1 : 0;
  }

  protected update(p: Variable, grad: T.Tensor, state: T.Tensor[]): T.Tensor {
    if (this.momentum === 0)
      return runUpdate(SGD_PLAIN, p.value, grad, state, [this.lr, this.weightDecay]);
    const first = !this.started.has(p);
    this.started.add(p);
    return runUpdate(SGD_MOMENTUM, p.value, grad, state, [
      this.lr,
      this.weightDecay,
      this.momentum,
      this.dampening,
      first ? 1 : 0,
      this.nesterov ? 1 : 0,
    ]);
  }
}
