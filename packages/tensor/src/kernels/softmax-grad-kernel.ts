import type { Device } from '../device/device.js';
import { Tensor } from '../tensor/tensor.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from './dispatch-size.js';
import { f32Bits } from './float-bits.js';

/**
 * The backward of a softmax along rows, given each row's correction term:
 * `dS = P ⊙ (dP − d) · scale` for contiguous [rows, n] `p` and `dp` and a contiguous `d` with one
 * value per row (attention's D = rowsum(dO ⊙ O)). One invocation per row, reading both rows as
 * vec4 when n and the offsets allow: the generic broadcasting pointwise kernel spends most of its
 * time on per-element index arithmetic for the broadcast `d`, which a row kernel never needs.
 */
export function runSoftmaxGrad(
  device: Device,
  p: Tensor,
  dp: Tensor,
  d: Tensor,
  scale: number,
): Tensor {
  const n = p.shape[p.rank - 1] as number;
  const rows = p.size / Math.max(n, 1);
  const out = Tensor.empty(device, p.shape);
  if (p.size === 0) return out;
  const vec4 = n % 4 === 0 && p.offset % 4 === 0 && dp.offset % 4 === 0;
  const type = vec4 ? 'vec4<f32>' : 'f32';
  const w = vec4 ? 4 : 1;
  device.run({
    name: `softmax_grad${vec4 ? '_vec4' : ''}`,
    source: `@group(0) @binding(0) var<storage, read> prm: array<u32>;
@group(0) @binding(1) var<storage, read> p: array<${type}>;
@group(0) @binding(2) var<storage, read> dp: array<${type}>;
@group(0) @binding(3) var<storage, read> d: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<${type}>;
@compute @workgroup_size(16)
fn main(${MAIN_ARGS}) {
  ${flatIndex(16)}
  if (i >= prm[0]) { return; }
  let len = prm[1];
  let scale = bitcast<f32>(prm[2]);
  let di = d[prm[5] + i];
  let pb = prm[3] + i * len;
  let db = prm[4] + i * len;
  let yb = i * len;
  for (var j = 0u; j < len; j++) { y[yb + j] = p[pb + j] * (dp[db + j] - di) * scale; }
}`,
    params: [rows, n / w, f32Bits(scale), p.offset / w, dp.offset / w, d.offset],
    buffers: [p.buffer, dp.buffer, d.buffer, out.buffer],
    workgroups: workgroups1d(rows, 16),
  });
  return out;
}
