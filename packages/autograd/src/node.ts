import { keep, type Tensor } from '@llm-streamline/tensor';

/**
 * Computes the gradients of an op's inputs from the gradient of its output. Returns one entry per
 * input (undefined where none flows), at the input's shape or at the broadcast output shape
 * (backward reduces broadcast dims).
 */
export type BackwardFn = (grad: Tensor, saved: readonly Tensor[]) => (Tensor | undefined)[];

/**
 * What the graph needs of a variable: its value, whether it wants a gradient, the node that made
 * it (none for leaves) and how a leaf takes its gradient. `Variable` is the implementation;
 * declaring the shape here keeps this file and the backward walk from importing variable.ts,
 * which imports them (no import cycle).
 */
export interface GraphVariable {
  readonly value: Tensor;
  readonly requiresGrad: boolean;
  readonly shape: readonly number[];
  readonly node?: Node;
  readonly isLeaf: boolean;
  accumulateGrad(g: Tensor): void;
}

/**
 * One recorded op: its inputs, the tensors its gradient needs (held as their own storage
 * references, so a scope that frees the forward's intermediates does not free these), and its
 * backward rule.
 */
export class Node {
  private saved: Tensor[];

  constructor(
    readonly name: string,
    readonly inputs: readonly GraphVariable[],
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
