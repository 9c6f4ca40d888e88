import * as T from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';

/**
 * Base of the optimisers: the parameters to update, the learning rate (set it each step from a
 * schedule), and per-parameter state tensors kept out of every scope.
 *
 * `step()` updates every parameter that has a gradient, entirely on the GPU: nothing is read
 * back, so a training loop only waits when it chooses to read the loss. Each parameter's value is
 * replaced with `Tensor.assign` (same tensor object, new storage), so references to it (a state
 * dict, a tied module) see the update.
 */
export abstract class Optimizer {
  readonly params: readonly Variable[];
  /** Learning rate used by the next `step()`. */
  lr: number;
  /** Number of `step()` calls so far. */
  stepCount = 0;
  private readonly state = new Map<Variable, T.Tensor[]>();

  constructor(params: Iterable<Variable>, lr: number) {
    this.params = [...new Set(params)];
    if (!(lr >= 0))
      throw new RangeError(`${this.constructor.name}: lr must be a non-negative number, got ${lr}`);
    this.lr = lr;
    for (const p of this.params) {
      if (!p.isLeaf)
        throw new Error(
          `${this.constructor.name}: ${p.toString()} is not a leaf variable; optimise parameters, not results of ops`,
        );
    }
  }

  /** Applies one update to every parameter that requires grad and has one (others are skipped, as in PyTorch). */
  step(): void {
    this.stepCount++;
    T.scope(() => {
      for (const p of this.params) {
        if (!p.requiresGrad || !p.grad) continue;
        const next = this.update(p, p.grad, this.stateOf(p));
        p.value.assign(next);
        next.dispose();
      }
    });
  }

  /** Drops the gradients of every parameter (call before accumulating the next step's). */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** Frees the optimiser's state (moments, momentum buffers). */
  dispose(): void {
    for (const tensors of this.state.values()) for (const t of tensors) t.dispose();
    this.state.clear();
  }

  /** The state tensors of one parameter (for inspection and tests); empty before its first step. */
  stateFor(p: Variable): readonly T.Tensor[] {
    return this.state.get(p) ?? [];
  }

  /** Number of state tensors per parameter, created as zeros on the parameter's first step. */
  protected abstract get stateCount(): number;

  /** Computes a parameter's new value (a fresh tensor); may update `state` in place. */
  protected abstract update(p: Variable, grad: T.Tensor, state: T.Tensor[]): T.Tensor;

  private stateOf(p: Variable): T.Tensor[] {
    let s = this.state.get(p);
    if (!s) {
      s = Array.from({ length: this.stateCount }, () =>
        T.keep(T.zeros(p.shape, 'f32', p.value.device)),
      );
      this.state.set(p, s);
    }
    return s;
  }
}
