import type { Device } from '../device/device.js';
import { Tensor } from '../tensor/tensor.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from './dispatch-size.js';
import { LOWEST_F32 } from './float-bits.js';
import { laneTreeWgsl, ROW_LANES, ROW_MAIN_ARGS, useWorkgroupPerRow } from './row-parallel.js';
import { planRowWalk, rowBaseWgsl, rowWalkWords } from './row-walk.js';

/** Per-row results: the loss and whether the row counts (1) or was ignored (0). */
export interface CrossEntropyRows {
  loss: Tensor;
  counted: Tensor;
}

/**
 * Per-row cross-entropy `logsumexp(logits[n]) − logits[n, target[n]]` of f32 logits ([N, V], any
 * layout) against dense targets (i32 or u32, from their offset). Rows whose target equals
 * `ignoreIndex` get loss 0 and `counted` 0; a target outside [0, V) gives NaN (it is never read).
 */
export function runCrossEntropy(
  device: Device,
  logits: Tensor,
  targets: Tensor,
  ignoreIndex: number,
): CrossEntropyRows {
  const n = logits.shape[0] as number;
  const loss = Tensor.empty(device, [n]);
  const counted = Tensor.empty(device, [n]);
  if (n === 0) return { loss, counted };
  const walk = planRowWalk(logits.layout, 1);
  const parallel = useWorkgroupPerRow(device, walk.rows, walk.length);
  const extra = rowWalkWords(walk.rank);
  device.run({
    name: `cross_entropy${parallel ? '_rowgroup' : ''}`,
    source: crossEntropySource(walk.rank, extra, targets.dtype as 'i32' | 'u32', parallel),
    params: [...walk.params, targets.offset, ignoreIndex | 0],
    buffers: [logits.buffer, targets.buffer, loss.buffer, counted.buffer],
    workgroups: parallel ? workgroups1d(walk.rows, 1) : workgroups1d(walk.rows, 64),
  });
  return { loss, counted };
}

/** WGSL deciding whether a row's target is the ignore index, or else a usable class id. */
const TARGET_TESTS = {
  i32: 'let ignored = tgt == ignore_index;\n  let valid = tgt >= 0 && u32(tgt) < p[1];',
  // A u32 target can only equal a non-negative ignore index.
  u32: 'let ignored = ignore_index >= 0 && tgt == u32(ignore_index);\n  let valid = tgt < p[1];',
};

function crossEntropySource(
  rank: number,
  extra: number,
  targetType: 'i32' | 'u32',
  parallel: boolean,
): string {
  const header = `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<${targetType}>;
@group(0) @binding(3) var<storage, read_write> loss: array<f32>;
@group(0) @binding(4) var<storage, read_write> counted: array<f32>;
${rowBaseWgsl(rank)}
// A private variable, not a constant: WGSL rejects constant expressions that evaluate to NaN.
var<private> nan_bits: u32 = 0x7fc00000u;
fn finish(row: u32, b: u32, m: f32, s: f32) {
  let tgt = targets[p[${extra}u] + row];
  let ignore_index = bitcast<i32>(p[${extra + 1}u]);
  ${TARGET_TESTS[targetType]}
  var l = bitcast<f32>(nan_bits);
  // (m − x_t) first: both are large for large logits, and their difference is exact.
  if (ignored) { l = 0.0; } else if (valid) { l = (m - x[b + u32(tgt) * p[3]]) + log(s); }
  loss[row] = l;
  counted[row] = select(1.0, 0.0, ignored);
}`;
  if (!parallel) {
    return `${header}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${flatIndex(64)}
  if (i >= p[0]) { return; }
  let n = p[1];
  let si = p[3];
  let b = row_base(i).x;
  var m = x[b];
  for (var j = 1u; j < n; j++) { m = max(m, x[b + j * si]); }
  var s = 0.0;
  for (var j = 0u; j < n; j++) { s += exp(x[b + j * si] - m); }
  finish(i, b, m, s);
}`;
  }
  return `${header}
var<workgroup> wm: array<f32, ${ROW_LANES}>;
var<workgroup> ws: array<f32, ${ROW_LANES}>;
@compute @workgroup_size(${ROW_LANES})
fn main(${ROW_MAIN_ARGS}) {
  let row = wid.x + wid.y * nwg.x;
  let n = p[1];
  let si = p[3];
  let b = row_base(min(row, p[0] - 1u)).x;
  var m = ${LOWEST_F32};
  for (var j = l; j < n; j += ${ROW_LANES}u) { m = max(m, x[b + j * si]); }
  wm[l] = m;
  ${laneTreeWgsl('wm', (a, c) => `max(${a}, ${c})`)}
  m = wm[0];
  var s = 0.0;
  for (var j = l; j < n; j += ${ROW_LANES}u) { s += exp(x[b + j * si] - m); }
  ws[l] = s;
  ${laneTreeWgsl('ws', (a, c) => `${a} + ${c}`)}
  if (l == 0u && row < p[0]) { finish(row, b, m, ws[0]); }
}`;
}
