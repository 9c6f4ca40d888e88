import type { Device } from '../device/device.js';
import { Tensor } from '../tensor/tensor.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from './dispatch-size.js';
import { f32Bits } from './float-bits.js';
import { laneTreeWgsl, ROW_LANES, ROW_MAIN_ARGS, useWorkgroupPerRow } from './row-parallel.js';
import { planRowWalk, rowBaseWgsl, rowWalkWords } from './row-walk.js';

/**
 * `x · rsqrt(mean(x²) + eps) · weight` over the last axis of f32 `x` (any layout), with `weight`
 * a dense f32 vector of the last axis' length (read from its offset). Multiplies in the order
 * Hugging Face's LlamaRMSNorm does: `weight * (x * rsqrt(variance + eps))`.
 */
export function runRmsNorm(device: Device, x: Tensor, weight: Tensor, eps: number): Tensor {
  const out = Tensor.empty(device, x.shape);
  if (x.size === 0) return out;
  const walk = planRowWalk(x.layout, x.rank - 1);
  const parallel = useWorkgroupPerRow(device, walk.rows, walk.length);
  const extra = rowWalkWords(walk.rank);
  device.run({
    name: `rms_norm${parallel ? '_rowgroup' : ''}`,
    source: (parallel ? parallelSource : registerSource)(walk.rank, extra),
    params: [...walk.params, f32Bits(eps), weight.offset],
    buffers: [x.buffer, weight.buffer, out.buffer],
    workgroups: parallel ? workgroups1d(walk.rows, 1) : workgroups1d(walk.rows, 64),
  });
  return out;
}

function header(rank: number, extra: number): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
${rowBaseWgsl(rank)}
const EPS_AT = ${extra}u;
const W_OFFSET_AT = ${extra + 1}u;`;
}

function registerSource(rank: number, extra: number): string {
  return `${header(rank, extra)}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${flatIndex(64)}
  if (i >= p[0]) { return; }
  let n = p[1];
  let si = p[3];
  let so = p[4];
  let wo = p[W_OFFSET_AT];
  let b = row_base(i);
  var ss = 0.0;
  for (var j = 0u; j < n; j++) { let v = x[b.x + j * si]; ss += v * v; }
  let r = inverseSqrt(ss / f32(n) + bitcast<f32>(p[EPS_AT]));
  for (var j = 0u; j < n; j++) { y[b.y + j * so] = w[wo + j] * (x[b.x + j * si] * r); }
}`;
}

function parallelSource(rank: number, extra: number): string {
  return `${header(rank, extra)}
var<workgroup> wss: array<f32, ${ROW_LANES}>;
@compute @workgroup_size(${ROW_LANES})
fn main(${ROW_MAIN_ARGS}) {
  let row = wid.x + wid.y * nwg.x;
  let live = row < p[0];
  let n = p[1];
  let si = p[3];
  let so = p[4];
  let wo = p[W_OFFSET_AT];
  let b = row_base(min(row, p[0] - 1u));
  var ss = 0.0;
  for (var j = l; j < n; j += ${ROW_LANES}u) { let v = x[b.x + j * si]; ss += v * v; }
  wss[l] = ss;
  ${laneTreeWgsl('wss', (a, c) => `${a} + ${c}`)}
  let r = inverseSqrt(wss[0] / f32(n) + bitcast<f32>(p[EPS_AT]));
  if (!live) { return; }
  for (var j = l; j < n; j += ${ROW_LANES}u) { y[b.y + j * so] = w[wo + j] * (x[b.x + j * si] * r); }
}`;
}
