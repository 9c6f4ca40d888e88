import type { Device } from '../device/device.js';
import type { DType } from '../tensor/dtype.js';
import { contiguousStrides, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { coalesceDims } from './coalesce.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from './dispatch-size.js';

/** The reductions implemented as kernels; mean and variance are composed from `sum`. */
export type ReduceKind = 'sum' | 'max' | 'min' | 'argmax' | 'argmin';

const COMBINE: Record<ReduceKind, string> = {
  sum: 'acc = acc + v;',
  max: 'acc = max(acc, v);',
  min: 'acc = min(acc, v);',
  // Strict comparison keeps the first index on ties, as NumPy and PyTorch do.
  argmax: 'if (v > acc) { acc = v; best = r; }',
  argmin: 'if (v < acc) { acc = v; best = r; }',
};

const PARALLEL = 64;

/**
 * Reduces `axes` of `x` (any layout) into a fresh tensor of the kept dims.
 *
 * Each output element is produced by one invocation looping over its reduced elements, which is
 * what CPU adapters like; when there are few outputs and long rows (sum of a whole tensor), a
 * workgroup of 64 invocations shares each output and combines partial results in workgroup memory.
 */
export function runReduce(
  device: Device,
  kind: ReduceKind,
  x: Tensor,
  axes: readonly number[],
): Tensor {
  const keptAxes = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const keptShape = keptAxes.map((i) => x.shape[i] as number);
  const redShape = axes.map((i) => x.shape[i] as number);
  const nOut = sizeOf(keptShape);
  const R = sizeOf(redShape);
  const isArg = kind === 'argmax' || kind === 'argmin';
  const computeType: DType = x.dtype;
  const outType: DType = isArg ? 'i32' : computeType;
  const out = Tensor.empty(device, keptShape, outType);
  if (nOut === 0) return out;
  if (R === 0 && kind !== 'sum')
    throw new RangeError(`${kind}: cannot reduce an empty axis of ${x.toString()}`);
  const kept = coalesceDims(keptShape, [
    contiguousStrides(keptShape),
    keptAxes.map((i) => x.strides[i] as number),
  ]);
  const red = coalesceDims(redShape, [axes.map((i) => x.strides[i] as number)]);
  const params = [
    nOut,
    R,
    x.offset,
    ...kept.shape,
    ...(kept.strides[1] as number[]),
    ...red.shape,
    ...(red.strides[0] as number[]),
  ];
  const parallel = nOut < 2048 && R >= 4096;
  device.run({
    name: `reduce_${kind}`,
    source: reduceSource(
      kind,
      x.dtype,
      computeType,
      outType,
      kept.shape.length,
      red.shape.length,
      parallel,
    ),
    params,
    buffers: [x.buffer, out.buffer],
    workgroups: parallel ? workgroups1d(nOut, 1) : workgroups1d(nOut, 64),
  });
  return out;
}

function reduceSource(
  kind: ReduceKind,
  inType: DType,
  T: DType,
  outType: DType,
  keptRank: number,
  redRank: number,
  parallel: boolean,
): string {
  // Param words: [nOut, R, offset, keptShape[kr], keptStrides[kr], redShape[rr], redStrides[rr]].
  const ks = 3;
  const kst = ks + keptRank;
  const rs = kst + keptRank;
  const rst = rs + redRank;
  const isArg = kind === 'argmax' || kind === 'argmin';
  const offsetOf = (v: string) =>
    redRank === 1 ? `base + ${v} * p[${rst}u]` : `reduced_offset(${v})`;
  const reducedOffset =
    redRank <= 1
      ? ''
      : `fn reduced_offset(r: u32) -> u32 {
  var rem = r; var o = 0u;
  for (var k = ${redRank}u; k > 0u; k--) {
    let d = k - 1u; let c = rem % p[${rs}u + d]; rem = rem / p[${rs}u + d]; o += c * p[${rst}u + d];
  }
  return o;
}`;
  const load = (v: string) =>
    `${T}(x[${redRank === 0 ? 'base' : redRank === 1 ? offsetOf(v) : `base + ${offsetOf(v)}`}])`;
  const outIndexToBase = `var rem = o; var base = p[2];
  for (var k = ${keptRank}u; k > 0u; k--) {
    let d = k - 1u; let c = rem % p[${ks}u + d]; rem = rem / p[${ks}u + d]; base += c * p[${kst}u + d];
  }`;
  const init = kind === 'sum' ? `var acc = ${T}(0);` : `var acc = ${load('first')};`;
  const finish = isArg ? 'y[o] = i32(best);' : `y[o] = ${outType}(acc);`;
  const header = `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<${inType}>;
@group(0) @binding(2) var<storage, read_write> y: array<${outType}>;
${reducedOffset}`;
  if (!parallel) {
    return `${header}
@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${flatIndex(64)}
  let o = i;
  if (o >= p[0]) { return; }
  ${outIndexToBase}
  let first = 0u;
  ${init}
  var best = 0u;
  for (var r = ${kind === 'sum' ? '0u' : '1u'}; r < p[1]; r++) {
    let v = ${load('r')};
    ${COMBINE[kind]}
  }
  ${finish}
}`;
  }
  // One workgroup per output: each lane reduces a strided subset, then a tree in workgroup memory.
  const combineShared = isArg
    ? `let v = sv[l + s]; let r = sb[l + s]; var acc = sv[l]; var best = sb[l];
      if (v ${kind === 'argmax' ? '>' : '<'} acc || (v == acc && r < best)) { acc = v; best = r; }
      sv[l] = acc; sb[l] = best;`
    : `let v = sv[l + s]; var acc = sv[l]; ${COMBINE[kind]} sv[l] = acc;`;
  return `${header}
var<workgroup> sv: array<${T}, ${PARALLEL}>;
var<workgroup> sb: array<u32, ${PARALLEL}>;
@compute @workgroup_size(${PARALLEL})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) l: u32) {
  let o = wid.x + wid.y * nwg.x;
  let live = o < p[0];
  ${outIndexToBase.replace('var rem = o;', 'var rem = min(o, p[0] - 1u);')}
  let first = l;
  ${kind === 'sum' ? `var acc = ${T}(0);` : `var acc = ${load('first')};`}
  var best = l;
  for (var r = l + ${kind === 'sum' ? '0u' : `${PARALLEL}u`}; r < p[1]; r += ${PARALLEL}u) {
    let v = ${load('r')};
    ${COMBINE[kind]}
  }
  sv[l] = acc;
  sb[l] = best;
  workgroupBarrier();
  for (var s = ${PARALLEL / 2}u; s > 0u; s = s >> 1u) {
    if (l < s) {
      ${combineShared}
    }
    workgroupBarrier();
  }
  if (l == 0u && live) {
    ${isArg ? 'y[o] = i32(sb[0]);' : `y[o] = ${outType}(sv[0]);`}
  }
}`;
}
