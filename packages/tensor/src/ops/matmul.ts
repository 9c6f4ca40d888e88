import type { KernelVariant } from '../device/device.js';
import { type MatrixView, matrixOrder, planMatmul } from '../kernels/matmul-plan.js';
import { runRegisterMatmul } from '../kernels/matmul-register.js';
import { runTiledMatmul } from '../kernels/matmul-tiled.js';
import type { FloatDType } from '../tensor/dtype.js';
import { expandLayout } from '../tensor/layout.js';
import { broadcastShapes, formatShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { contiguous } from './copy.js';
import { requireDType } from './dtype-check.js';

const FLOAT_OPERANDS: readonly FloatDType[] = ['f32', 'f16', 'bf16'];

export interface MatmulOptions {
  /** Kernel family; defaults to the device's `kernelVariant` (`register` on CPU adapters, `tiled` on GPUs). */
  variant?: KernelVariant;
}

/**
 * Matrix product over the last two dims: a [..., M, K] · b [..., K, N] → [..., M, N], with the
 * batch dims broadcast NumPy-style ([B, H, M, K] · [K, N], [1, H, M, K] · [B, 1, K, N], …).
 * Each operand may be f32, f16 or bf16 (16-bit weights are read as they are stored, at half the
 * bytes); products accumulate in f32 and the result is f32.
 *
 * Operands are read through their strides: `transpose()`, `narrow`/`slice` and broadcast views
 * cost no copy as long as one of their last two dims is contiguous (otherwise they are copied).
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  requireDType(a, FLOAT_OPERANDS, 'matmul', 'a');
  requireDType(b, FLOAT_OPERANDS, 'matmul', 'b');
  const shapes = `${formatShape(a.shape)} and ${formatShape(b.shape)}`;
  if (a.rank < 2 || b.rank < 2) {
    throw new RangeError(`matmul: both operands need at least 2 dims, got shapes ${shapes}`);
  }
  if (a.device !== b.device)
    throw new Error(`matmul: operands ${shapes} live on different devices`);
  const [M, K] = a.shape.slice(-2) as [number, number];
  const [K2, N] = b.shape.slice(-2) as [number, number];
  if (K !== K2) {
    throw new RangeError(
      `matmul: cannot multiply shapes ${shapes}: inner dims differ (${K} vs ${K2})`,
    );
  }
  let batchShape: number[];
  try {
    batchShape = broadcastShapes([a.shape.slice(0, -2), b.shape.slice(0, -2)], 'matmul');
  } catch {
    throw new RangeError(`matmul: batch dims of shapes ${shapes} do not broadcast`);
  }

  const device = a.device;
  const out = Tensor.fromBuffer(
    device,
    device.pool.acquire(Math.max(16, sizeOf(batchShape) * M * N * 4), undefined, {
      shape: [...batchShape, M, N],
      dtype: 'f32',
      op: 'matmul',
    }),
    [...batchShape, M, N],
    'f32',
  );
  if (out.size === 0) return out;

  // Views with neither of the last two dims contiguous are copied; the copies are freed after the dispatch.
  const da = usable(a);
  const db = usable(b);
  try {
    const plan = planMatmul(
      matrixView(da, batchShape),
      matrixView(db, batchShape),
      batchShape,
      device.nativeF16,
    );
    const variant = options.variant ?? device.kernelVariant;
    if (variant === 'tiled') runTiledMatmul(device, plan, da, db, out);
    else runRegisterMatmul(device, plan, da, db, out);
  } finally {
    if (da !== a) da.dispose();
    if (db !== b) db.dispose();
  }
  return out;
}

function usable(x: Tensor): Tensor {
  const s = x.strides;
  const r = x.rank;
  return matrixOrder(
    x.shape[r - 2] as number,
    x.shape[r - 1] as number,
    s[r - 2] as number,
    s[r - 1] as number,
  )
    ? x
    : contiguous(x);
}

function matrixView(x: Tensor, batchShape: readonly number[]): MatrixView {
  const r = x.rank;
  const batch = expandLayout(
    { shape: x.shape.slice(0, -2), strides: x.strides.slice(0, -2), offset: x.offset },
    batchShape,
  );
  return {
    rows: x.shape[r - 2] as number,
    cols: x.shape[r - 1] as number,
    rowStride: x.strides[r - 2] as number,
    colStride: x.strides[r - 1] as number,
    offset: x.offset,
    batchStrides: batch.strides,
    dtype: x.dtype as FloatDType,
  };
}
