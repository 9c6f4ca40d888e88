import { currentDevice } from '../device/device.js';
import { runPointwise } from '../kernels/pointwise-kernel.js';
import { type DType, isFloat, promoteTypes } from '../tensor/dtype.js';
import { broadcastShapes } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { requireComputable } from './dtype-check.js';

/** An operand: a tensor, or a number broadcast like a 0-d tensor. */
export type Operand = Tensor | number;

/**
 * Everything about one elementwise op's forward, in one place: its WGSL expression (the kernel is
 * generated from it) and its dtype rule. Adding an op means adding one entry to a table (and its
 * gradient rule to autograd's `gradients.ts`).
 */
export interface PointwiseSpec {
  name: string;
  /** WGSL over inputs `a`, `b`, `c` converted to the compute type `$T`. */
  expr: string;
  /** WGSL helper functions used by `expr` (`$T` is replaced by the compute type). */
  helpers?: string;
  /** Always compute in f32 (exp, log…) even for integer inputs. */
  floatOnly?: boolean;
  /** Fixed output dtype; by default the compute type. */
  outType?: DType;
}

/** Applies a pointwise spec to tensors and numbers with NumPy broadcasting. */
export function applyPointwise(spec: PointwiseSpec, operands: readonly Operand[]): Tensor {
  const tensors = operands.filter((o): o is Tensor => o instanceof Tensor);
  operands.forEach((o, k) => {
    if (o instanceof Tensor) requireComputable(o, spec.name, `operand ${k}`);
  });
  const device = tensors[0]?.device ?? currentDevice();
  const tensorTypes = tensors.map((t) => t.dtype);
  const numbersAreInts = operands.every((o) => typeof o !== 'number' || Number.isInteger(o));
  const numberType: DType =
    numbersAreInts && tensorTypes.length > 0 && !tensorTypes.some(isFloat)
      ? (tensorTypes[0] as DType)
      : 'f32';
  const inputs = operands.map((o) =>
    typeof o === 'number' ? Tensor.fromArray([o], [], numberType, device) : o,
  );
  try {
    const promoted = promoteTypes(
      inputs.map((t) => t.dtype),
      spec.name,
    );
    const computeType = spec.floatOnly ? 'f32' : promoted;
    const shape = broadcastShapes(
      inputs.map((t) => t.shape),
      spec.name,
    );
    return runPointwise(
      device,
      {
        name: spec.name,
        expr: spec.expr,
        helpers: spec.helpers,
        computeType,
        outType: spec.outType ?? computeType,
      },
      inputs,
      shape,
    );
  } finally {
    inputs.forEach((t, k) => {
      if (typeof operands[k] === 'number') t.dispose();
    });
  }
}
