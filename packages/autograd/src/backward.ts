import { add, formatShape, ones, scope, type Tensor } from '@llm-streamline/tensor';
import { sumToShape } from './broadcast.js';
import type { GraphVariable, Node } from './node.js';

/**
 * Reverse-mode differentiation, as in micrograd: sort the graph topologically once (depth-first
 * from the output), then walk it backwards. Gradients arriving at a variable from several paths
 * are summed before its node runs, so every node runs exactly once. Each node's temporaries live
 * in a scope; only the gradients it returns survive, and they are freed as soon as they have been
 * passed on.
 */
export function runBackward(output: GraphVariable, seed?: Tensor): void {
  if (!output.requiresGrad) {
    throw new Error(
      `backward: ${output.toString()} does not require grad (no input of the graph requires grad)`,
    );
  }
  if (!seed && output.value.size !== 1) {
    throw new RangeError(
      `backward: output ${formatShape(output.shape)} is not a scalar; pass the upstream gradient`,
    );
  }
  const order = topologicalOrder(output);
  const grads = new Map<GraphVariable, Tensor>();
  grads.set(output, seed ? seed.view(seed.layout) : ones(output.shape, 'f32', output.value.device));

  for (const v of order) {
    const g = grads.get(v);
    grads.delete(v);
    if (!g) continue;
    if (v.isLeaf) {
      if (v.requiresGrad) v.accumulateGrad(g);
      g.dispose();
      continue;
    }
    const node = v.node as Node;
    const inputGrads = scope(() =>
      node.backward(g).map((gi, k) => {
        const input = node.inputs[k] as GraphVariable;
        return gi && input.requiresGrad ? sumToShape(gi, input.shape) : undefined;
      }),
    );
    g.dispose();
    inputGrads.forEach((gi, k) => {
      if (!gi) return;
      const input = node.inputs[k] as GraphVariable;
      const previous = grads.get(input);
      if (!previous) {
        grads.set(input, gi);
        return;
      }
      grads.set(input, add(previous, gi));
      previous.dispose();
      gi.dispose();
    });
  }
}

/** Variables reachable from `output` through nodes, outputs before inputs. */
function topologicalOrder(output: GraphVariable): GraphVariable[] {
  const visited = new Set<GraphVariable>();
  const postOrder: GraphVariable[] = [];
  // Iterative DFS: decoder stacks are deep enough to make recursion a risk.
  const stack: [GraphVariable, boolean][] = [[output, false]];
  while (stack.length > 0) {
    const [v, expanded] = stack.pop() as [GraphVariable, boolean];
    if (expanded) {
      postOrder.push(v);
      continue;
    }
    if (visited.has(v)) continue;
    visited.add(v);
    stack.push([v, true]);
    for (const input of v.node?.inputs ?? [])
      if (input.requiresGrad && !visited.has(input)) stack.push([input, false]);
  }
  return postOrder.reverse();
}
