import { applyPointwise, BINARY, type PointwiseSpec, UNARY, WHERE } from '@llm-streamline/tensor';
import type { Variable } from '../variable.js';
import { asVariables, disposeConstants, record, type VarOperand } from './record.js';

/**
 * Differentiable pointwise ops. Their gradient rules live with their WGSL in the tensor package's
 * specs (one place per op); this file only connects a spec to the graph.
 */
export function pointwise(spec: PointwiseSpec, operands: readonly VarOperand[]): Variable {
  const like = operands.find((o): o is Variable => typeof o !== 'number');
  const inputs = asVariables(operands, like);
  try {
    const values = inputs.map((v) => v.value);
    const out = applyPointwise(spec, values);
    const grad = spec.grad;
    if (!grad) return record(spec.name, [], out, [], () => []);
    return record(spec.name, inputs, out, [...values, out], (g, saved) =>
      grad(g, saved.slice(0, values.length), saved[values.length] as never),
    );
  } finally {
    disposeConstants(operands, inputs);
  }
}

const unary = (spec: PointwiseSpec) => (x: Variable) => pointwise(spec, [x]);
const binary = (spec: PointwiseSpec) => (a: VarOperand, b: VarOperand) => pointwise(spec, [a, b]);

export const neg = unary(UNARY.neg);
export const abs = unary(UNARY.abs);
export const exp = unary(UNARY.exp);
export const log = unary(UNARY.log);
export const sqrt = unary(UNARY.sqrt);
export const rsqrt = unary(UNARY.rsqrt);
export const tanh = unary(UNARY.tanh);
export const sigmoid = unary(UNARY.sigmoid);
export const silu = unary(UNARY.silu);
export const gelu = unary(UNARY.gelu);
export const relu = unary(UNARY.relu);
export const acos = unary(UNARY.acos);

export const add = binary(BINARY.add);
export const sub = binary(BINARY.sub);
export const mul = binary(BINARY.mul);
export const div = binary(BINARY.div);
export const pow = binary(BINARY.pow);
export const maximum = binary(BINARY.maximum);
export const minimum = binary(BINARY.minimum);
/** Comparisons return constants (1/0): no gradient flows through them. */
export const eq = binary(BINARY.eq);
export const ne = binary(BINARY.ne);
export const lt = binary(BINARY.lt);
export const le = binary(BINARY.le);
export const gt = binary(BINARY.gt);
export const ge = binary(BINARY.ge);

export const where = (cond: VarOperand, a: VarOperand, b: VarOperand) =>
  pointwise(WHERE, [cond, a, b]);
