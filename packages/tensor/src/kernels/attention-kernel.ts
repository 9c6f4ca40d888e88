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
  /** Causal only: a query at position t sees keys t − window < j ≤ t. Undefined: all j ≤ t. */
  window?: number;
}

/**
 * The mask as one number, the span of keys a query sees ending at its own position: query row t
 * (position offset + t) sees keys `offset + t + 1 − span ≤ j < offset + t + 1`. 0 means no mask
 * (not causal). Plain causal attention has span offset + Tq, longer than any row's history; a
 * window shorter than that is the span itself.
 */
export function causalSpan({ q, causal, offset, window }: AttentionProblem): number {
  if (!causal) return 0;
  const history = Math.max(1, offset + (q.shape[2] as number));
  return window === undefined ? history : Math.min(window, history);
}

/**
 * WGSL: the first key row `t` sees (`p[5]` offset, `p[6]` the causal span). Kernels test
 * `lo ≤ j < end` as the one unsigned comparison `j − lo < end − lo`: `&&` would branch.
 */
export const firstKey = (t: string) =>
  `select(0u, (p[5] + ${t} + 1u) - min(p[5] + ${t} + 1u, p[6]), p[6] != 0u)`;
/** WGSL: one past the last key row `t` sees. */
export const keyEnd = (t: string) => `select(p[3], min(p[3], p[5] + ${t} + 1u), p[6] != 0u)`;

/** Invocations per workgroup: small, so decode steps (few rows) still spread over several cores. */
export const WG = 16;

/**
 * Param words shared by both attention kernels:
 * `[rows, Hq, Tq, Tk, group, offset, span, scale, (offset, strideB, strideH, strideT) × q, k, v]`,
 * span as in {@link causalSpan}.
 */
export function attentionParams(problem: AttentionProblem): number[] {
  const { q, k, v, offset, scale } = problem;
  const [b, hq, tq] = q.shape as [number, number, number, number];
  const hkv = k.shape[1] as number;
  return [
    b * hq * tq,
    hq,
    tq,
    k.shape[2] as number,
    hq / hkv,
    offset,
    causalSpan(problem),
    f32Bits(scale),
    ...strided(q),
    ...strided(k),
    ...strided(v),
  ];
}

/** Param words locating a [B, H, T, Dh] view with unit stride along Dh: offset, B, H, T strides. */
export function strided(t: Tensor): number[] {
  return [t.offset, t.strides[0] as number, t.strides[1] as number, t.strides[2] as number];
}

/** Bindings: params, then the named f32 inputs, then the named f32 outputs (default `y`). */
export function bindings(inputs: readonly string[], outputs: readonly string[] = ['y']): string {
  return [
    '@group(0) @binding(0) var<storage, read> p: array<u32>;',
    ...inputs.map(
      (name, j) => `@group(0) @binding(${j + 1}) var<storage, read> ${name}: array<f32>;`,
    ),
    ...outputs.map(
      (name, j) =>
        `@group(0) @binding(${inputs.length + j + 1}) var<storage, read_write> ${name}: array<f32>;`,
    ),
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
  // Query row t is at absolute position offset + t and, when causal, sees keys lo..=offset + t.
  let keys = ${keyEnd('t')};
  let lo = ${firstKey('t')};
  let qo = p[8] + b * p[9] + h * p[10] + t * p[11];
  let kb = p[12] + b * p[13] + kvh * p[14];
  let ks = p[15];
  let vb = p[16] + b * p[17] + kvh * p[18];
  let vs = p[19];`;

/**
 * Vector width used for a head dim: the widest of 4, 2, 1 that divides it, so loads and dot
 * products work on whole vectors with no tail.
 */
export function vectorWidth(dh: number): 1 | 2 | 4 {
  return dh % 4 === 0 ? 4 : dh % 2 === 0 ? 2 : 1;
}

/** WGSL helpers specialised on the head dim: vector type `V`, loaders `ld_<input>`, `dotv`. */
export function vectorHelpers(dh: number, inputs: readonly string[]): string {
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

/** Vector registers an invocation may spend on its query rows (and as many on their outputs). */
const ROW_REGISTERS = 16;
/** Keys per online-softmax step: the running max and the accumulator are rescaled once per chunk. */
const KEY_CHUNK = 4;

/**
 * Fused attention. Each invocation owns QB consecutive query rows of one (batch, query head) — QB =
 * 4, 2 or 1, as many as fit ${'`ROW_REGISTERS`'} vectors and the rows there are (decoding has one) — and
 * streams over the keys the last of them may see, KC = 4 keys at a time, with an online softmax:
 * per row a running max \`m\` and denominator \`l\`, the accumulator rescaled once per chunk.
 * Blocking rows shares every key and value load between QB rows, and chunking keys cuts the exp()
 * calls from two per score to 1 + 1/KC: what a CPU adapter is bound by. Keys a row may not see
 * (causal mask, sliding window, or past the end in the last chunk) get weight 0. Rows past Tq are computed on a
 * clamped row and not stored.
 *
 * The WGSL is generated fully unrolled over rows, head-dim vectors and chunk keys, with a named
 * variable per register (\`q1_2\`, \`a1_2\`, \`s1_3\`): shader compilers for CPUs keep named scalars
 * and vectors in registers but spill loop-indexed arrays to memory, which made the looped version of
 * this kernel slower than one row per invocation. Output: [B, Hq, Tq, Dh], dense in q's memory
 * order (token-major q from a [B, T, H·Dh] projection gives a token-major output, so merging the
 * heads back is a free view).
 *
 * With `logsumexp`, also writes each row's log Σ exp(scores) (contiguous [B, Hq, Tq]): all that
 * training's backward needs to recompute the probabilities without a second pass over the keys.
 */
export function runAttention(
  device: Device,
  problem: AttentionProblem,
  logsumexp?: Tensor,
): Tensor {
  const { q } = problem;
  const dh = q.shape[3] as number;
  const tq = q.shape[2] as number;
  const out = Tensor.emptyLike(q);
  if (q.size === 0) return out;
  const w = vectorWidth(dh);
  const nc = dh / w;
  const qb = ([4, 2, 1] as const).find((r) => r <= tq && r * nc <= ROW_REGISTERS) ?? 1;
  const rowsOfHeads = q.size / dh / tq;
  const outputs = logsumexp ? ['y', 'lse'] : ['y'];
  device.run({
    name: `attention_d${dh}_q${qb}${logsumexp ? '_lse' : ''}`,
    source: `${bindings(['q', 'k', 'v'], outputs)}
${vectorHelpers(dh, ['q', 'k', 'v'])}
const QB = ${qb}u;
const KC = ${KEY_CHUNK}u;
@compute @workgroup_size(${WG})
fn main(${MAIN_ARGS}) {
  ${flatIndex(WG)}
  let hq = p[1];
  let tq = p[2];
  let blocks = (tq + QB - 1u) / QB;
  // p[0] = B·Hq·Tq rows: shapes stay out of the source, so one pipeline serves every batch.
  if (i >= (p[0] / tq) * blocks) { return; }
  let first = (i % blocks) * QB;
  let h = (i / blocks) % hq;
  let b = i / (blocks * hq);
  let kvh = h / p[4];
  let scale = bitcast<f32>(p[7]);
  let kb = p[12] + b * p[13] + kvh * p[14];
  let vb = p[16] + b * p[17] + kvh * p[18];
${unrolledAttention(qb, nc, KEY_CHUNK, w, logsumexp !== undefined)}
}`,
    params: [...attentionParams(problem), ...strided(out)],
    buffers: [
      problem.q.buffer,
      problem.k.buffer,
      problem.v.buffer,
      out.buffer,
      ...(logsumexp ? [logsumexp.buffer] : []),
    ],
    workgroups: workgroups1d(Math.ceil(tq / qb) * rowsOfHeads, WG),
  });
  return out;
}

/**
 * The body of {@link runAttention} for QB rows, NC head-dim vectors of width W, KC keys per chunk;
 * with `lse`, also stores each row's log-sum-exp.
 */
function unrolledAttention(qb: number, nc: number, kc: number, w: number, lse: boolean): string {
  const rows = Array.from({ length: qb }, (_, r) => r);
  const vecs = Array.from({ length: nc }, (_, c) => c);
  const keys = Array.from({ length: kc }, (_, j) => j);
  const lines: string[] = [];
  const add = (indent: number, ...code: string[]) => {
    for (const c of code) lines.push(`${'  '.repeat(indent)}${c}`);
  };
  // Row t (absolute position offset + t) sees keys lo..=offset + t when causal (lo > 0 only in a
  // window); the block streams from the first key its first row sees to the last its last row sees.
  for (const r of rows) {
    add(1, `let t${r} = min(first + ${r}u, tq - 1u);`);
    add(1, `let qo${r} = p[8] + b * p[9] + h * p[10] + t${r} * p[11];`);
    add(1, `let vis${r} = ${keyEnd(`t${r}`)};`, `let lo${r} = min(${firstKey(`t${r}`)}, vis${r});`);
    add(1, `let n${r} = vis${r} - lo${r};`);
    for (const c of vecs) add(1, `let q${r}_${c} = ld_q(qo${r} + ${c * w}u) * scale;`);
    for (const c of vecs) add(1, `var a${r}_${c} = V(0.0);`);
    add(1, `var m${r} = ${LOWEST_F32};`, `var l${r} = 0.0;`);
  }
  add(1, `let keys = vis${qb - 1};`);
  add(1, 'for (var j0 = lo0; j0 < keys; j0 += KC) {');
  // lo ≤ j < vis as one unsigned comparison (j < lo wraps around): no branches in unrolled code.
  const seen = (r: number, j: number) => `j0 + ${j}u - lo${r} < n${r}`;
  for (const j of keys) {
    add(2, `let ko${j} = kb + min(j0 + ${j}u, keys - 1u) * p[15];`);
    for (const c of vecs) add(2, `let k${j}_${c} = ld_k(ko${j} + ${c * w}u);`);
    for (const r of rows) {
      const dot = vecs.map((c) => `dotv(q${r}_${c}, k${j}_${c})`).join(' + ');
      add(2, `var s${r}_${j} = select(${LOWEST_F32}, ${dot}, ${seen(r, j)});`);
    }
  }
  for (const r of rows) {
    const chunkMax = keys.reduce((e, j) => `max(${e}, s${r}_${j})`, `m${r}`);
    add(2, `let mn${r} = ${chunkMax};`, `let corr${r} = exp(m${r} - mn${r});`);
    for (const j of keys)
      add(2, `s${r}_${j} = select(0.0, exp(s${r}_${j} - mn${r}), ${seen(r, j)});`);
    add(2, `l${r} = l${r} * corr${r} + ${keys.map((j) => `s${r}_${j}`).join(' + ')};`);
    add(2, `m${r} = mn${r};`);
    for (const c of vecs) add(2, `a${r}_${c} = a${r}_${c} * corr${r};`);
  }
  for (const j of keys) {
    add(2, `let vo${j} = vb + min(j0 + ${j}u, keys - 1u) * p[19];`);
    for (const c of vecs) {
      add(2, `let v${j}_${c} = ld_v(vo${j} + ${c * w}u);`);
      for (const r of rows) add(2, `a${r}_${c} += s${r}_${j} * v${j}_${c};`);
    }
  }
  add(1, '}');
  const components = w === 1 ? [''] : ['.x', '.y', '.z', '.w'].slice(0, w);
  for (const r of rows) {
    add(1, `if (first + ${r}u < tq) {`);
    add(
      2,
      `let o${r} = p[20] + b * p[21] + h * p[22] + (first + ${r}u) * p[23];`,
      `let il${r} = 1.0 / l${r};`,
    );
    if (lse) add(2, `lse[(i / blocks) * tq + first + ${r}u] = m${r} + log(l${r});`);
    for (const c of vecs) {
      add(2, `let y${r}_${c} = a${r}_${c} * il${r};`);
      components.forEach((comp, e) => {
        add(2, `y[o${r} + ${c * w + e}u] = y${r}_${c}${comp};`);
      });
    }
    add(1, '}');
  }
  return lines.join('\n');
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
  const out = Tensor.empty(device, shape);
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
  for (var j = 0u; j < lo; j++) { y[yo + j] = 0.0; }
  for (var j = lo; j < keys; j++) {
    var qk = 0.0;
    for (var c = 0u; c < NC; c++) { qk += dotv(ld_q(qo + c * W), ld_k(kb + j * ks + c * W)); }
    let s = qk * scale;
    y[yo + j] = s;
    m = max(m, s);
  }
  var l = 0.0;
  for (var j = lo; j < keys; j++) {
    let e = exp(y[yo + j] - m);
    y[yo + j] = e;
    l += e;
  }
  let inv_l = 1.0 / l;
  for (var j = lo; j < keys; j++) { y[yo + j] = y[yo + j] * inv_l; }
  for (var j = keys; j < p[3]; j++) { y[yo + j] = 0.0; }
}`,
    params: attentionParams(problem),
    buffers: [problem.q.buffer, problem.k.buffer, out.buffer],
    workgroups: workgroups1d(rows, WG),
  });
  return out;
}
