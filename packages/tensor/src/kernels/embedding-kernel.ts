import type { Device } from '../device/device.js';
import { Tensor } from '../tensor/tensor.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from './dispatch-size.js';
import { elementRead, readPrelude } from './element-read.js';

/**
 * WGSL that turns an id of the ids buffer's dtype into a row in [0, V): ids are clamped, because
 * kernels run without bounds checks and a bad id must not read outside the weight.
 */
function clampId(dtype: 'i32' | 'u32'): string {
  return dtype === 'i32' ? 'u32(clamp(id, 0, i32(vocab) - 1))' : 'min(id, vocab - 1u)';
}

/**
 * Gathers rows of f32, f16 or bf16 `weight` ([V, D], any strides) for dense `ids` (i32 or u32, read from their
 * offset) into a fresh contiguous f32 [N, D]; `outShape` is what the caller wants it to be called.
 */
export function runEmbedding(
  device: Device,
  weight: Tensor,
  ids: Tensor,
  outShape: readonly number[],
): Tensor {
  const [vocab, dim] = weight.shape as [number, number];
  const n = ids.size * dim;
  const out = Tensor.empty(device, outShape);
  if (n === 0) return out;
  const idType = ids.dtype as 'i32' | 'u32';
  const w = elementRead('w', 1, weight.dtype, { vec4: false, nativeF16: device.nativeF16 });
  device.run({
    name: `embedding_${weight.dtype}_${idType}`,
    source: `${readPrelude([w])}
@group(0) @binding(0) var<storage, read> p: array<u32>;
${w.declaration}
@group(0) @binding(2) var<storage, read> ids: array<${idType}>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${flatIndex(64)}
  if (i >= p[0]) { return; }
  let dim = p[1];
  let vocab = p[2];
  let id = ids[p[3] + i / dim];
  let row = ${clampId(idType)};
  y[i] = ${w.scalar('p[4] + row * p[5] + (i % dim) * p[6]')};
}`,
    params: [
      n,
      dim,
      vocab,
      ids.offset,
      weight.offset,
      weight.strides[0] as number,
      weight.strides[1] as number,
    ],
    buffers: [weight.buffer, ids.buffer, out.buffer],
    workgroups: workgroups1d(n, 64),
  });
  return out;
}

/** Columns of one output row that one backward invocation owns. */
const BACKWARD_COLUMNS = 256;

/**
 * The gradient of an embedding lookup: row v of the [V, D] result sums the rows of dense f32
 * `grad` ([N, D], from its offset) whose (clamped, as in the forward pass) id is v.
 *
 * One invocation owns a block of up to 256 columns of one output row: it scans the ids in order
 * and adds the matching gradient rows, so sums are deterministic (no atomics) and the id scan is
 * shared by a whole block of columns (V·⌈D/256⌉·N compares, not V·D·N).
 */
export function runEmbeddingBackward(
  device: Device,
  grad: Tensor,
  ids: Tensor,
  vocab: number,
  dim: number,
): Tensor {
  const out = Tensor.empty(device, [vocab, dim]);
  const blocks = Math.ceil(dim / BACKWARD_COLUMNS);
  const n = vocab * blocks;
  if (vocab * dim === 0) return out;
  const idType = ids.dtype as 'i32' | 'u32';
  device.run({
    name: `embedding_backward_${idType}`,
    source: `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> ids: array<${idType}>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${flatIndex(64)}
  if (i >= p[0]) { return; }
  let dim = p[1];
  let vocab = p[2];
  let blocks = p[6];
  let v = i / blocks;
  let first = (i % blocks) * ${BACKWARD_COLUMNS}u;
  let last = min(first + ${BACKWARD_COLUMNS}u, dim);
  let row = v * dim;
  for (var d = first; d < last; d++) { y[row + d] = 0.0; }
  for (var t = 0u; t < p[3]; t++) {
    let id = ids[p[4] + t];
    if (${clampId(idType)} != v) { continue; }
    let src = p[5] + t * dim;
    for (var d = first; d < last; d++) { y[row + d] += g[src + d]; }
  }
}`,
    params: [n, dim, vocab, ids.size, ids.offset, grad.offset, blocks],
    buffers: [grad.buffer, ids.buffer, out.buffer],
    workgroups: workgroups1d(n, 64),
  });
  return out;
}
