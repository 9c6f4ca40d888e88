import type { Device } from '../device/device.js';
import { Tensor } from '../tensor/tensor.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from './dispatch-size.js';
import { f32Bits, LOWEST_F32 } from './float-bits.js';

/** The problem an attention kernel solves; q, k, v must have unit stride along Dh. */
export interface AttentionProblem {
  q: Tensor;
  k: Tensor;
  v: Tensor;
  causal: boolean;
  /** Absolute position of q's first row among the keys. */
  offset: number;
  scale: number;
}

/** Invocations per workgroup: small, so decode steps (few rows) still spread over several cores. */
const WG = 16;

/**
 * Param words shared by both attention kernels:
 * `[rows, Hq, Tq, Tk, group, offset, causal, scale, (offset, strideB, strideH, strideT) × q, k, v]`.
 */
function attentionParams({ q, k, v, causal, offset, scale }: AttentionProblem): number[] {
  const [b, hq, tq] = q.shape as [number, number, number, number];
  const hkv = k.shape[1] as number;
  const strided = (t: Tensor) => [
    t.offset,
    t.strides[0] as number,
    t.strides[1] as number,
    t.strides[2] as number,
  ];
  return [
    b * hq * tq,
    hq,
    tq,
    k.shape[2] as number,
    hq / hkv,
    offset,
    causal ? 1 : 0,
    f32Bits(scale),
    ...strided(q),
    ...strided(k),
    ...strided(v),
  ];
}

/** Bindings: params, then the named f32 inputs, then the f32 output `y`. */
function bindings(inputs: readonly string[]): string {
  return [
    '@group(0) @binding(0) var<storage, read> p: array<u32>;',
    ...inputs.map(
      (name, j) => `@group(0) @binding(${j + 1}) var<storage, read> ${name}: array<f32>;`,
    ),
    `@group(0) @binding(${inputs.length + 1}) var<storage, read_write> y: array<f32>;`,
  ].join('\n');
}

const LOCATE = `
  if (i >= p[0]) { return; }
  let hq = p[1];
  let tq = p[2];
  let t = i % tq;
  let h = (i / tq) % hq;
  let b = i / (tq * hq);
  let kvh = h / p[4];
  let scale = bitcast<f32>(p[7]);
  // Query row t is at absolute position offset + t and, when causal, sees keys 0..=offset + t.
  let keys = select(p[3], min(p[3], p[5] + t + 1u), p[6] == 1u);
  let qo = p[8] + b * p[9] + h * p[10] + t * p[11];
  let kb = p[12] + b * p[13] + kvh * p[14];
  let ks = p[15];
  let vb = p[16] + b * p[17] + kvh * p[18];
  let vs = p[19];`;

/**
 * Vector width used for a head dim: the widest of 4, 2, 1 that divides it, so loads and dot
 * products work on whole vectors with no tail.
 */
function vectorWidth(dh: number): 1 | 2 | 4 {
  return dh % 4 === 0 ? 4 : dh % 2 === 0 ? 2 : 1;
}

/** WGSL helpers specialised on the head dim: vector type `V`, loaders `ld_<input>`, `dotv`. */
function vectorHelpers(dh: number, inputs: readonly string[]): string {
  const w = vectorWidth(dh);
  const type = w === 1 ? 'f32' : `vec${w}<f32>`;
  const load = (name: string) =>
    `fn ld_${name}(o: u32) -> V { return V(${Array.from({ length: w }, (_, j) => `${name}[o${j ? ` + ${j}u` : ''}]`).join(', ')}); }`;
  return `alias V = ${type};
const W = ${w}u;
const NC = ${dh / w}u;
${inputs.map(load).join('\n')}
fn dotv(a: V, b: V) -> f32 { return ${w === 1 ? 'a * b' : 'dot(a, b)'}; }`;
}

/**
 * Fused attention, one invocation per (batch, query head, query row): streams over the visible
 * keys with an online softmax (running max `m` and denominator `l`, rescaling the accumulator when
 * the max grows), keeping q and the output row in registers. Output: contiguous [B, Hq, Tq, Dh].
 */
export function runAttention(device: Device, problem: AttentionProblem): Tensor {
  const { q } = problem;
  const dh = q.shape[3] as number;
  const out = Tensor.fromBuffer(
    device,
    device.pool.acquire(Math.max(4, q.size * 4)),
    q.shape,
    'f32',
  );
  const rows = q.size / Math.max(dh, 1);
  if (q.size === 0) return out;
  const w = vectorWidth(dh);
  const store =
    w === 1
      ? 'y[o] = r;'
      : ['x', 'y', 'z', 'w']
          .slice(0, w)
          .map((c, j) => `y[o + ${j}u] = r.${c};`)
          .join(' ');
  device.run({
    name: `attention_d${dh}`,
    source: `${bindings(['q', 'k', 'v'])}
${vectorHelpers(dh, ['q', 'k', 'v'])}
@compute @workgroup_size(${WG})
fn main(${MAIN_ARGS}) {
  ${flatIndex(WG)}
  ${LOCATE}
  var qv: array<V, NC>;
  var acc: array<V, NC>;
  for (var c = 0u; c < NC; c++) { qv[c] = ld_q(qo + c * W); acc[c] = V(0.0); }
  var m = ${LOWEST_F32};
  var l = 0.0;
  for (var j = 0u; j < keys; j++) {
    let ko = kb + j * ks;
    var qk = 0.0;
    for (var c = 0u; c < NC; c++) { qk += dotv(qv[c], ld_k(ko + c * W)); }
    let s = qk * scale;
    let m_new = max(m, s);
    let correction = exp(m - m_new);
    let weight = exp(s - m_new);
    l = l * correction + weight;
    let vo = vb + j * vs;
    for (var c = 0u; c < NC; c++) { acc[c] = acc[c] * correction + weight * ld_v(vo + c * W); }
    m = m_new;
  }
  let inv_l = 1.0 / l;
  for (var c = 0u; c < NC; c++) {
    let r = acc[c] * inv_l;
    let o = i * ${dh}u + c * W;
    ${store}
  }
}`,
    params: attentionParams(problem),
    buffers: [problem.q.buffer, problem.k.buffer, problem.v.buffer, out.buffer],
    workgroups: workgroups1d(rows, WG),
  });
  return out;
}

/**
 * The attention probabilities softmax(q·kᵀ·scale) with the same masking as {@link runAttention},
 * as a contiguous [B, Hq, Tq, Tk] (masked entries are 0). One invocation per row writes the scaled
 * scores, then rescales them in place.
 */
export function runAttentionWeights(device: Device, problem: AttentionProblem): Tensor {
  const { q, k } = problem;
  const dh = q.shape[3] as number;
  const tk = k.shape[2] as number;
  const shape = [q.shape[0] as number, q.shape[1] as number, q.shape[2] as number, tk];
  const rows = (shape[0] as number) * (shape[1] as number) * (shape[2] as number);
  const out = Tensor.fromBuffer(
    device,
    device.pool.acquire(Math.max(4, rows * tk * 4)),
    shape,
    'f32',
  );
  if (rows * tk === 0) return out;
  device.run({
    name: `attention_weights_d${dh}`,
    source: `${bindings(['q', 'k'])}
${vectorHelpers(dh, ['q', 'k'])}
@compute @workgroup_size(${WG})
fn main(${MAIN_ARGS}) {
  ${flatIndex(WG)}
  ${LOCATE}
  let yo = i * p[3];
  var m = ${LOWEST_F32};
  for (var j = 0u; j < keys; j++) {
    var qk = 0.0;
    for (var c = 0u; c < NC; c++) { qk += dotv(ld_q(qo + c * W), ld_k(kb + j * ks + c * W)); }
    let s = qk * scale;
    y[yo + j] = s;
    m = max(m, s);
  }
  var l = 0.0;
  for (var j = 0u; j < keys; j++) {
    let e = exp(y[yo + j] - m);
    y[yo + j] = e;
    l += e;
  }
  let inv_l = 1.0 / l;
  for (var j = 0u; j < keys; j++) { y[yo + j] = y[yo + j] * inv_l; }
  for (var j = keys; j < p[3]; j++) { y[yo + j] = 0.0; }
}`,
    params: attentionParams(problem),
    buffers: [problem.q.buffer, problem.k.buffer, out.buffer],
    workgroups: workgroups1d(rows, WG),
  });
  return out;
}
