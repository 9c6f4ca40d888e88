import { add, heldTensors, keep, type Tensor } from '@llm-streamline/tensor';
import { runBackward } from './backward.js';
import type { Node } from './node.js';

/**
 * A tensor that takes part in automatic differentiation: its `value`, whether gradients should
 * flow to it, the accumulated `grad` (for leaves), and the {@link Node} that computed it (for
 * results of ops). Ops on variables return variables; `backward()` fills the leaves' grads.
 */
export class Variable {
  /** Accumulated gradient (same shape as value), set by backward on leaves that require it. */
  grad: Tensor | undefined;
  /** Optional name (parameters get theirs from the module tree) used in error messages. */
  name: string | undefined;

  constructor(
    public value: Tensor,
    public requiresGrad = false,
    /** The op that produced this variable; undefined for leaves. */
    readonly node?: Node,
  ) {}

  get shape(): readonly number[] {
    return this.value.shape;
  }

  get isLeaf(): boolean {
    return this.node === undefined;
  }

  /**
   * Back-propagates from this variable (a scalar unless `seed` is given) to every leaf that
   * requires a gradient, adding into their `grad`. Each node runs once, in reverse topological
   * order, and frees what it saved as soon as its gradient is computed.
   */
  backward(seed?: Tensor): void {
    runBackward(this, seed);
  }

  /** The same value, cut off from the graph (gradients stop here). */
  detach(): Variable {
    return new Variable(this.value.view(this.value.layout));
  }

  /** Adds `g` into `grad` (used by backward; gradients are kept out of every scope). */
  accumulateGrad(g: Tensor): void {
    if (!this.grad) {
      this.grad = keep(g.view(g.layout));
      return;
    }
    const sum = keep(add(this.grad, g));
    this.grad.dispose();
    this.grad = sum;
  }

  zeroGrad(): void {
    this.grad?.dispose();
    this.grad = undefined;
  }

  get isDisposed(): boolean {
    return this.value.isDisposed;
  }

  /** Frees the value (and the gradient). */
  dispose(): void {
    this.value.dispose();
    this.zeroGrad();
  }

  [heldTensors](): Tensor[] {
    return this.grad ? [this.value, this.grad] : [this.value];
  }

  toString(): string {
    return `Variable(${this.name ? `${this.name}: ` : ''}${this.value.toString()}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }
}

/** Wraps a tensor as a variable; leaves that should learn pass `requiresGrad: true`. */
export function variable(value: Tensor, requiresGrad = false): Variable {
  return new Variable(value, requiresGrad);
}
