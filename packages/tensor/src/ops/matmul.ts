import type { KernelVariant } from '../device/device.js';
import { matrixOrder, planMatmul } from '../kernels/matmul-plan.js';
import { runRegisterMatmul } from '../kernels/matmul-register.js';
import { runTiledMatmul } from '../kernels/matmul-tiled.js';
import { FLOAT_DTYPES, type FloatDType } from '../tensor/dtype.js';
import { broadcastShapes, formatShape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { needsRanges } from './binding-chunks.js';
import { contiguous } from './copy.js';
import { requireDType } from './dtype-check.js';
import { type MatmulKernel, runChunkedMatmul } from './matmul-chunked.js';
import { matrixView } from './matrix-view.js';

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
 *
 * An operand (or the output) whose buffer is over the adapter's `maxStorageBufferBindingSize`,
 * such as a large LM head, is read in row chunks that each fit one binding, without a copy (see
 * ops/matmul-chunked.ts); only a single row over that limit is a `DeviceLimitError`.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  requireDType(a, FLOAT_DTYPES, 'matmul', 'a');
  requireDType(b, FLOAT_DTYPES, 'matmul', 'b');
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
    const variant = options.variant ?? device.kernelVariant;
    const kernel: MatmulKernel = (plan, ba, bb, bc) =>
      variant === 'tiled'
        ? runTiledMatmul(device, plan, ba, bb, bc)
        : runRegisterMatmul(device, plan, ba, bb, bc);
    if (needsRanges(device, [da, db, out])) {
      runChunkedMatmul(da, db, out, batchShape, kernel);
    } else {
      const plan = planMatmul(
        matrixView(da.layout, batchShape, da.dtype as FloatDType),
        matrixView(db.layout, batchShape, db.dtype as FloatDType),
        batchShape,
        { nativeF16: device.nativeF16 },
      );
      kernel(plan, da.buffer, db.buffer, out.buffer);
    }
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
