import { applyPointwise, BINARY, type PointwiseSpec, UNARY, WHERE } from '@llm-streamline/tensor';
import { GRADIENTS, type GradientOp, type GradientRule } from '../gradients.js';
import type { Variable } from '../variable.js';
import { asVariables, disposeConstants, record, type VarOperand } from './record.js';

/**
 * A differentiable pointwise op: the tensor package's spec computes the forward, `rule` (for the
 * built-in ops, their entry of the gradient table) the backward. The node saves the inputs and
 * then the output. Without a rule no gradient flows (comparisons).
 */
export function pointwise(
  spec: PointwiseSpec,
  operands: readonly VarOperand[],
  rule?: GradientRule,
): Variable {
  const like = operands.find((o): o is Variable => typeof o !== 'number');
  const inputs = asVariables(operands, like);
  try {
    const values = inputs.map((v) => v.value);
    const out = applyPointwise(spec, values);
    if (!rule) return record(spec.name, [], out, [], () => []);
    return record(spec.name, inputs, out, [...values, out], (g, saved) =>
      rule(
        g,
        saved,
        undefined as never,
        inputs.map((v) => v.requiresGrad),
      ),
    );
  } finally {
    disposeConstants(operands, inputs);
  }
}

// The key types make the compiler check that every differentiable op has its rule in the table.
const unary = (op: keyof typeof UNARY & GradientOp) => (x: Variable) =>
  pointwise(UNARY[op], [x], GRADIENTS[op]);
const binary = (op: keyof typeof BINARY & GradientOp) => (a: VarOperand, b: VarOperand) =>
  pointwise(BINARY[op], [a, b], GRADIENTS[op]);
const comparison = (op: keyof typeof BINARY) => (a: VarOperand, b: VarOperand) =>
  pointwise(BINARY[op], [a, b]);

export const neg = unary('neg');
export const abs = unary('abs');
export const exp = unary('exp');
export const log = unary('log');
export const sqrt = unary('sqrt');
export const rsqrt = unary('rsqrt');
export const tanh = unary('tanh');
export const sigmoid = unary('sigmoid');
export const silu = unary('silu');
export const gelu = unary('gelu');
export const relu = unary('relu');
export const acos = unary('acos');

export const add = binary('add');
export const sub = binary('sub');
export const mul = binary('mul');
export const div = binary('div');
export const pow = binary('pow');
export const maximum = binary('maximum');
export const minimum = binary('minimum');
/** Comparisons return constants (1/0): no gradient flows through them. */
export const eq = comparison('eq');
export const ne = comparison('ne');
export const lt = comparison('lt');
export const le = comparison('le');
export const gt = comparison('gt');
export const ge = comparison('ge');

export const where = (cond: VarOperand, a: VarOperand, b: VarOperand) =>
  pointwise(WHERE, [cond, a, b], GRADIENTS.where);
