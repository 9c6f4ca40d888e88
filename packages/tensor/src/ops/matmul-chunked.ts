/**
 * matmul over operands whose buffers are over the adapter's `maxStorageBufferBindingSize`: an LM
 * head of 128256×2048 f32 is 1002 MiB, and many GPUs (and lavapipe) bind at most 128 MiB. The
 * product is cut into blocks whose operand views each fit one binding, and each block is one
 * kernel launch that binds only the byte ranges its views occupy: nothing is copied, and C's
 * blocks are written in place (the kernels take C's row stride and offset).
 *
 * Each operand is cut along its outer dim (the one with the larger stride), so that a chunk is
 * one contiguous span of its buffer:
 * - A row-major A (activations, A [M, K]) and the output C are cut along M: blocks of rows.
 * - A column-major B (a weight W [N, K] used as `W.transpose()`) is cut along N: blocks of
 *   columns of C.
 * - A row-major B (`g · W`, as in the gradient of x·Wᵀ) or a column-major A is cut along K: each
 *   K chunk gives a partial product of the block, summed in block-sized temporaries and then
 *   copied into C (a buffer copy, which has no binding limit).
 */
import type { Device } from '../device/device.js';
import type { MatmulPlan } from '../kernels/matmul-plan.js';
import { planMatmul } from '../kernels/matmul-plan.js';
import type { BufferBinding } from '../runtime/buffer-range.js';
import type { FloatDType } from '../tensor/dtype.js';
import { type Layout, narrowLayout, reshapeLayout } from '../tensor/layout.js';
import { sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { add } from './binary.js';
import { bindView, chunkRanges, indicesPerBinding } from './binding-chunks.js';
import { matrixView } from './matrix-view.js';

/** Launches one planned matmul kernel on bound operands (the caller picks the kernel family). */
export type MatmulKernel = (
  plan: MatmulPlan,
  a: BufferBinding,
  b: BufferBinding,
  c: BufferBinding,
) => void;

/** A 2-D view of a tensor's storage. */
interface MatrixOf {
  tensor: Tensor;
  layout: Layout;
}

/** One product of 2-D views: C [M, N] (a view of the output) = A [M, K] · B [K, N]. */
interface MatrixProduct {
  a: MatrixOf;
  b: MatrixOf;
  c: MatrixOf;
}

type Dim = 'M' | 'N' | 'K';

/**
 * Computes `out` = a · b (shapes already checked and broadcast to `batchShape`, `out` dense) in
 * blocks that each bind at most `maxStorageBufferBindingSize` bytes of every operand. Throws a
 * `DeviceLimitError` when even one row of an operand (along the dim it is cut) is over it.
 */
export function runChunkedMatmul(
  a: Tensor,
  b: Tensor,
  out: Tensor,
  batchShape: readonly number[],
  kernel: MatmulKernel,
): void {
  for (const product of matrixProducts(a, b, out, batchShape)) runProduct(product, kernel);
}

/** The batched product as 2-D products: one when the batch merges into A's rows, else one per matrix. */
function matrixProducts(
  a: Tensor,
  b: Tensor,
  out: Tensor,
  batchShape: readonly number[],
): MatrixProduct[] {
  const M = a.shape[a.rank - 2] as number;
  const K = a.shape[a.rank - 1] as number;
  const N = b.shape[b.rank - 1] as number;
  const batch = sizeOf(batchShape);
  const of = (tensor: Tensor, layout: Layout): MatrixOf => ({ tensor, layout });
  const matrix = (l: Layout): Layout => ({
    shape: l.shape.slice(-2),
    strides: l.strides.slice(-2),
    offset: l.offset,
  });
  if (batch === 1) {
    return [
      { a: of(a, matrix(a.layout)), b: of(b, matrix(b.layout)), c: of(out, matrix(out.layout)) },
    ];
  }
  // x [..., T, K] · Wᵀ, one weight for the whole batch: when A's batch and row dims merge (a dense
  // activation), it is one product with batch·M rows, so the weight is walked once, not per matrix.
  const bShared = sizeOf(b.shape.slice(0, -2)) === 1;
  const aRows = bShared ? reshapeLayout(a.layout, [batch * M, K]) : undefined;
  if (aRows) {
    const rows = { shape: [batch * M, N], strides: [N, 1], offset: out.offset };
    return [{ a: of(a, aRows), b: of(b, matrix(b.layout)), c: of(out, rows) }];
  }
  const aView = matrixView(a.layout, batchShape, a.dtype as FloatDType);
  const bView = matrixView(b.layout, batchShape, b.dtype as FloatDType);
  const products: MatrixProduct[] = [];
  for (let bi = 0; bi < batch; bi++) {
    let rem = bi;
    let aOffset = a.offset;
    let bOffset = b.offset;
    for (let d = batchShape.length - 1; d >= 0; d--) {
      const size = batchShape[d] as number;
      const i = rem % size;
      rem = Math.floor(rem / size);
      aOffset += i * (aView.batchStrides[d] as number);
      bOffset += i * (bView.batchStrides[d] as number);
    }
    products.push({
      a: of(a, { ...matrix(a.layout), offset: aOffset }),
      b: of(b, { ...matrix(b.layout), offset: bOffset }),
      c: of(out, { shape: [M, N], strides: [N, 1], offset: out.offset + bi * M * N }),
    });
  }
  return products;
}

function runProduct(p: MatrixProduct, kernel: MatmulKernel): void {
  const [M, K] = p.a.layout.shape as [number, number];
  const N = p.b.layout.shape[1] as number;
  const block = blockSizes(p, { M, N, K });
  for (const [m0, mc] of chunkRanges(M, block.M)) {
    for (const [n0, nc] of chunkRanges(N, block.N)) {
      const c = narrowed(p.c, m0, mc, n0, nc);
      const kChunks = chunkRanges(K, block.K);
      const part = ([k0, kc]: [number, number], into: MatrixOf) =>
        runBlock(narrowed(p.a, m0, mc, k0, kc), narrowed(p.b, k0, kc, n0, nc), into, kernel);
      if (kChunks.length === 1) part(kChunks[0] as [number, number], c);
      else sumOverK(kChunks, part, c);
    }
  }
}

/**
 * The largest block (rows of A and C, columns of B and C, K) whose every operand view fits one
 * binding. Each operand is cut along its outer dim only; operands are visited in turn, each seeing
 * the cuts made so far (a cut only shrinks the others' views, so earlier ones stay valid).
 */
function blockSizes(p: MatrixProduct, full: Record<Dim, number>): Record<Dim, number> {
  const block = { ...full };
  const operands: Array<[MatrixOf, [Dim, Dim]]> = [
    [p.a, ['M', 'K']],
    [p.b, ['K', 'N']],
    [p.c, ['M', 'N']],
  ];
  for (const [x, [rows, cols]] of operands) {
    const view = narrowed(x, 0, block[rows], 0, block[cols]).layout;
    const axis = outerAxis(view);
    const dim = axis === 0 ? rows : cols;
    block[dim] = Math.min(block[dim], indicesPerBinding(x.tensor, view, axis, 'matmul'));
  }
  return block;
}

/** The axis with the larger stride (rows of a row-major matrix): a chunk along it is one span. */
function outerAxis(view: Layout): 0 | 1 {
  const [rows, cols] = view.shape as [number, number];
  const [rowStride, colStride] = view.strides as [number, number];
  if (rows <= 1) return 1;
  if (cols <= 1) return 0;
  return rowStride >= colStride ? 0 : 1;
}

function narrowed(x: MatrixOf, r0: number, rows: number, c0: number, cols: number): MatrixOf {
  return {
    tensor: x.tensor,
    layout: narrowLayout(narrowLayout(x.layout, 0, r0, rows), 1, c0, cols),
  };
}

/** One kernel launch for a block, binding only the ranges its views occupy. */
function runBlock(a: MatrixOf, b: MatrixOf, c: MatrixOf, kernel: MatmulKernel): void {
  const ba = bindView(a.tensor, a.layout);
  const bb = bindView(b.tensor, b.layout);
  const bc = bindView(c.tensor, c.layout);
  const plan = planMatmul(
    matrixView(ba.layout, [], a.tensor.dtype as FloatDType),
    matrixView(bb.layout, [], b.tensor.dtype as FloatDType),
    [],
    {
      out: { ld: c.layout.strides[0] as number, offset: bc.layout.offset },
      nativeF16: a.tensor.device.nativeF16,
    },
  );
  kernel(plan, ba.range, bb.range, bc.range);
}

/**
 * A block cut along K: the partial products are summed in dense block-sized temporaries (a kernel
 * cannot add into C while reading it through another binding), then copied into C's block.
 */
function sumOverK(
  kChunks: Array<[number, number]>,
  part: (k: [number, number], into: MatrixOf) => void,
  c: MatrixOf,
): void {
  const device = c.tensor.device;
  const [rows, cols] = c.layout.shape as [number, number];
  let sum: Tensor | undefined;
  for (const k of kChunks) {
    const partial = Tensor.empty(device, [rows, cols]);
    part(k, { tensor: partial, layout: partial.layout });
    if (sum === undefined) {
      sum = partial;
      continue;
    }
    const next = add(sum, partial);
    sum.dispose();
    partial.dispose();
    sum = next;
  }
  if (sum === undefined) return;
  copyRows(device, sum, c);
  sum.dispose();
}

/** Copies dense f32 `rows × cols` into the block `c` of a row-major output (buffer copies). */
function copyRows(device: Device, source: Tensor, c: MatrixOf): void {
  const [rows, cols] = c.layout.shape as [number, number];
  const ld = c.layout.strides[0] as number;
  const to = (r: number) => (c.layout.offset + r * ld) * 4;
  if (ld === cols || rows === 1) {
    device.copy(source.buffer, source.offset * 4, c.tensor.buffer, to(0), rows * cols * 4);
    return;
  }
  for (let r = 0; r < rows; r++)
    device.copy(source.buffer, (source.offset + r * cols) * 4, c.tensor.buffer, to(r), cols * 4);
}
