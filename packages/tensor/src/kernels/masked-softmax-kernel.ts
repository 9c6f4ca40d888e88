import type { Device } from '../device/device.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from './dispatch-size.js';
import { f32Bits } from './float-bits.js';

/**
 * softmax(scale · scores) over each row of a contiguous [rows, Tk] score matrix, with the causal
 * mask of attention: row r holds query t = r mod Tq, at absolute position offset + t, which sees
 * keys offset + t + 1 − span … offset + t (`span` as attention-kernel.ts's `causalSpan`: all
 * earlier keys, or the last `window` of them; all keys when span is 0, not causal). Masked
 * entries become exactly 0. One invocation per
 * row (what CPU adapters run fastest), three passes: max, sum of exponentials, normalise.
 */
export function runMaskedSoftmax(
  device: Device,
  scores: Tensor,
  tq: number,
  offset: number,
  span: number,
  scale: number,
): Tensor {
  if (!scores.isContiguous || scores.rank !== 2) {
    throw new RangeError(
      `masked softmax: expected contiguous [rows, Tk] scores, got ${formatShape(scores.shape)}`,
    );
  }
  const [rows, tk] = scores.shape as [number, number];
  const out = Tensor.empty(device, scores.shape);
  if (rows * tk === 0) return out;
  device.run({
    name: 'masked_softmax',
    source: `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> s: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(16)
fn main(${MAIN_ARGS}) {
  ${flatIndex(16)}
  if (i >= p[0]) { return; }
  let tk = p[1];
  let scale = bitcast<f32>(p[5]);
  let end = p[3] + (i % p[2]) + 1u;
  let keys = select(tk, min(tk, end), p[4] != 0u);
  let lo = select(0u, end - min(end, p[4]), p[4] != 0u);
  let base = p[6] + i * tk;
  let o = i * tk;
  var m = s[base + lo] * scale;
  for (var j = lo + 1u; j < keys; j++) { m = max(m, s[base + j] * scale); }
  for (var j = 0u; j < lo; j++) { y[o + j] = 0.0; }
  var l = 0.0;
  for (var j = lo; j < keys; j++) {
    let e = exp(s[base + j] * scale - m);
    y[o + j] = e;
    l += e;
  }
  let inv = 1.0 / l;
  for (var j = lo; j < keys; j++) { y[o + j] = y[o + j] * inv; }
  for (var j = keys; j < tk; j++) { y[o + j] = 0.0; }
}`,
    params: [rows, tk, tq, offset, span, f32Bits(scale), scores.offset],
    buffers: [scores.buffer, out.buffer],
    workgroups: workgroups1d(rows, 16),
  });
  return out;
}
