import { keep, type Tensor } from '@llm-streamline/tensor';
import type { Variable } from './variable.js';

/**
 * Computes the gradients of an op's inputs from the gradient of its output. Returns one entry per
 * input (undefined where none flows), at the input's shape or at the broadcast output shape
 * (backward reduces broadcast dims).
 */
export type BackwardFn = (grad: Tensor, saved: readonly Tensor[]) => (Tensor | undefined)[];

/**
 * One recorded op: its inputs, the tensors its gradient needs (held as their own storage
 * references, so a scope that frees the forward's intermediates does not free these), and its
 * backward rule.
 */
export class Node {
  private saved: Tensor[];

  constructor(
    readonly name: string,
    readonly inputs: readonly Variable[],
    saved: readonly Tensor[],
    readonly backwardFn: BackwardFn,
  ) {
    this.saved = saved.map((t) => keep(t.view(t.layout)));
  }

  /** Runs the rule once and frees what was saved: a node cannot be back-propagated twice. */
  backward(grad: Tensor): (Tensor | undefined)[] {
    if (this.saved.some((t) => t.isDisposed)) {
      throw new Error(
        `backward through '${this.name}' a second time: its saved tensors were freed after the first`,
      );
    }
    try {
      // A rule may hand back a saved tensor as a gradient; give the caller its own handle.
      return this.backwardFn(grad, this.saved).map((g) =>
        g && this.saved.includes(g) ? g.view(g.layout) : g,
      );
    } finally {
      this.release();
    }
  }

  /** Frees the saved tensors without running backward (for graphs that will not be differentiated). */
  release(): void {
    for (const t of this.saved) t.dispose();
  }
}
