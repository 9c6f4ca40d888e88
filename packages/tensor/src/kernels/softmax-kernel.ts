import type { Device } from '../device/device.js';
import { Tensor } from '../tensor/tensor.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from './dispatch-size.js';
import { LOWEST_F32 } from './float-bits.js';
import { laneTreeWgsl, ROW_LANES, ROW_MAIN_ARGS, useWorkgroupPerRow } from './row-parallel.js';
import { planRowWalk, rowBaseWgsl } from './row-walk.js';

/** `softmax` writes probabilities, `logSoftmax` their logarithms. */
export type SoftmaxKind = 'softmax' | 'logSoftmax';

/** How each kind turns a value `v`, the row max `m` and `s = Σ exp(v − m)` into its output. */
const FINISH: Record<SoftmaxKind, string> = {
  softmax: 'exp(v - m) * inv_s',
  logSoftmax: 'v - m - log_s',
};

/**
 * Softmax (or log-softmax) of f32 `x` along `axis`, into a fresh contiguous tensor of x's shape.
 * Subtracting the row max first keeps exp from overflowing for large logits.
 */
export function runSoftmax(device: Device, kind: SoftmaxKind, x: Tensor, axis: number): Tensor {
  const out = Tensor.empty(device, x.shape);
  if (x.size === 0) return out;
  const walk = planRowWalk(x.layout, axis);
  const parallel = useWorkgroupPerRow(device, walk.rows, walk.length);
  device.run({
    name: `${kind}${parallel ? '_rowgroup' : ''}`,
    source: parallel ? parallelSource(kind, walk.rank) : registerSource(kind, walk.rank),
    params: walk.params,
    buffers: [x.buffer, out.buffer],
    workgroups: parallel ? workgroups1d(walk.rows, 1) : workgroups1d(walk.rows, 64),
  });
  return out;
}

const HEADER = `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;`;

/** One invocation per row: three passes (max, sum of exp, write) kept in registers. */
function registerSource(kind: SoftmaxKind, rank: number): string {
  return `${HEADER}
${rowBaseWgsl(rank)}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${flatIndex(64)}
  if (i >= p[0]) { return; }
  let n = p[1];
  let si = p[3];
  let so = p[4];
  let b = row_base(i);
  var m = x[b.x];
  for (var j = 1u; j < n; j++) { m = max(m, x[b.x + j * si]); }
  var s = 0.0;
  for (var j = 0u; j < n; j++) { s += exp(x[b.x + j * si] - m); }
  let inv_s = 1.0 / s;
  let log_s = log(s);
  for (var j = 0u; j < n; j++) {
    let v = x[b.x + j * si];
    y[b.y + j * so] = ${FINISH[kind]};
  }
}`;
}

/** One workgroup per row: lanes take strided elements and combine max and sum in workgroup memory. */
function parallelSource(kind: SoftmaxKind, rank: number): string {
  return `${HEADER}
${rowBaseWgsl(rank)}
var<workgroup> wm: array<f32, ${ROW_LANES}>;
var<workgroup> ws: array<f32, ${ROW_LANES}>;
@compute @workgroup_size(${ROW_LANES})
fn main(${ROW_MAIN_ARGS}) {
  let row = wid.x + wid.y * nwg.x;
  let live = row < p[0];
  let n = p[1];
  let si = p[3];
  let so = p[4];
  let b = row_base(min(row, p[0] - 1u));
  var m = ${LOWEST_F32};
  for (var j = l; j < n; j += ${ROW_LANES}u) { m = max(m, x[b.x + j * si]); }
  wm[l] = m;
  ${laneTreeWgsl('wm', (a, c) => `max(${a}, ${c})`)}
  m = wm[0];
  var s = 0.0;
  for (var j = l; j < n; j += ${ROW_LANES}u) { s += exp(x[b.x + j * si] - m); }
  ws[l] = s;
  ${laneTreeWgsl('ws', (a, c) => `${a} + ${c}`)}
  s = ws[0];
  let inv_s = 1.0 / s;
  let log_s = log(s);
  if (!live) { return; }
  for (var j = l; j < n; j += ${ROW_LANES}u) {
    let v = x[b.x + j * si];
    y[b.y + j * so] = ${FINISH[kind]};
  }
}`;
}
