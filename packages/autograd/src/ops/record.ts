import { type Tensor, tensor } from '@llm-streamline/tensor';
import { isGradEnabled } from '../grad-mode.js';
import { GRADIENTS, type GradientAttrs, type GradientOp } from '../gradients.js';
import { type BackwardFn, Node } from '../node.js';
import { Variable } from '../variable.js';

/** A variable, or a number used as a constant. */
export type VarOperand = Variable | number;

/**
 * Wraps an op's result as a variable and, when gradients are on and any input requires one,
 * records the node that will differentiate it. Every differentiable op goes through here.
 */
export function record(
  name: string,
  inputs: readonly Variable[],
  output: Tensor,
  saved: readonly Tensor[],
  backward: BackwardFn,
): Variable {
  if (!isGradEnabled() || !inputs.some((v) => v.requiresGrad)) return new Variable(output);
  return new Variable(output, true, new Node(name, inputs, saved, backward));
}

/**
 * {@link record} for an op of the gradient table: its backward is the table's rule for `op`, given
 * the saved tensors, `attrs` and which inputs require a gradient (read when backward runs).
 */
export function recordOp<Op extends GradientOp>(
  op: Op,
  inputs: readonly Variable[],
  output: Tensor,
  saved: readonly Tensor[],
  ...[attrs]: AttrsArgument<GradientAttrs<Op>>
): Variable {
  const rule = GRADIENTS[op];
  return record(op, inputs, output, saved, (g, kept) =>
    rule(
      g,
      kept,
      attrs as never,
      inputs.map((v) => v.requiresGrad),
    ),
  );
}

/** No argument for rules that read no attributes, else the attributes. */
type AttrsArgument<A> = [A] extends [never] ? [] : unknown extends A ? [] : [attrs: A];

/** Turns numbers into constant 0-d variables so every rule sees tensors. */
export function asVariables(
  operands: readonly VarOperand[],
  like: Variable | undefined,
): Variable[] {
  return operands.map((o) =>
    typeof o === 'number' ? new Variable(tensor([o], [], 'f32', like?.value.device)) : o,
  );
}

/** Disposes the constants {@link asVariables} made. */
export function disposeConstants(operands: readonly VarOperand[], vars: readonly Variable[]): void {
  operands.forEach((o, k) => {
    if (typeof o === 'number') vars[k]?.value.dispose();
  });
}
