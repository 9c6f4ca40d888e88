/**
 * Gradients of fused attention without materialising any [Tq, Tk] matrix (FlashAttention-2's
 * backward, shaped for CPU adapters the way {@link runAttention} is). With S = scale·q·kᵀ
 * (masked), P = softmax(S) recomputed from the forward's per-row log-sum-exp L as exp(S − L), and
 * D = rowsum(dO ⊙ O):
 *   dP = dO·vᵀ,  dS = P ⊙ (dP − D),  dq = scale·dS·k,  dk = scale·dSᵀ·q,  dv = Pᵀ·dO.
 * Two kernels, each owning what it accumulates so that no two invocations write one value:
 *   - rows: an invocation holds QB query rows and streams over the keys they see (dq);
 *   - keys: an invocation holds KB keys of one kv head and streams over every query row of every
 *     query head in its group that sees them (dk and dv), skipping the rows the causal mask (and window) hides.
 * Both are generated unrolled with a named variable per register, like the forward.
 */
import type { Device } from '../device/device.js';
import { denseLayoutLike } from '../tensor/layout.js';
import { Tensor } from '../tensor/tensor.js';
import {
  type AttentionProblem,
  attentionParams,
  bindings,
  firstKey,
  keyEnd,
  strided,
  vectorHelpers,
  vectorWidth,
  WG,
} from './attention-kernel.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from './dispatch-size.js';

/** What the gradient kernels read besides the forward's inputs. */
export interface AttentionGradInputs {
  /** Gradient of the output, [B, Hq, Tq, Dh] with unit stride along Dh. */
  dOut: Tensor;
  /** The forward's per-row log Σ exp(S), contiguous [B, Hq, Tq]. */
  logsumexp: Tensor;
  /** rowsum(dO ⊙ O), contiguous [B, Hq, Tq]. */
  rowDot: Tensor;
}

/** Query rows per invocation of the rows kernel, keys per invocation of the keys kernel. */
const QB = 4;
const KB = 4;
/** Keys per step of the rows kernel's loop (unrolled). */
const KC = 2;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * Param words: the forward's (see `attentionParams`), then where dO, dq and dk are (offset and B,
 * H, T strides each: p[20…23], p[24…27], p[28…31]), then how far dv is past dk (p[32]).
 */
function gradParams(problem: AttentionProblem, dOut: Tensor, dq: Tensor, dk: Tensor): number[] {
  return [...attentionParams(problem), ...strided(dOut), ...strided(dq), ...strided(dk), dk.size];
}

const INPUTS = ['q', 'k', 'v', 'g', 'lse', 'dsum'];

/**
 * dq, dk and dv of fused attention: dense, shaped like q, k and v, dq in q's memory order and dk
 * and dv in k's (token-major inputs give token-major gradients, so the way back into the
 * projections' [B, T, H·Dh] needs no copy).
 */
export function runAttentionGrad(
  device: Device,
  problem: AttentionProblem,
  { dOut, logsumexp, rowDot }: AttentionGradInputs,
): { dq: Tensor; dk: Tensor; dv: Tensor } {
  const { q, k } = problem;
  const dh = q.shape[3] as number;
  const dq = Tensor.emptyLike(q);
  // dk and dv share one buffer (dk first), so the keys kernel stays within 8 storage bindings.
  const dkv = Tensor.empty(device, [2 * k.size]);
  const { strides } = denseLayoutLike(k.layout);
  const dk = dkv.view({ shape: k.shape, strides, offset: 0 });
  const dv = dkv.view({ shape: k.shape, strides, offset: k.size });
  dkv.dispose();
  const buffers = [q, k, problem.v, dOut, logsumexp, rowDot].map((t) => t.buffer);
  const params = gradParams(problem, dOut, dq, dk);
  const helpers = vectorHelpers(dh, ['q', 'k', 'v', 'g']);
  if (q.size > 0) {
    const tq = q.shape[2] as number;
    device.run({
      name: `attention_grad_rows_d${dh}`,
      source: `${bindings(INPUTS, ['dq'])}\n${helpers}\n${rowsKernel(dh)}`,
      params,
      buffers: [...buffers, dq.buffer],
      workgroups: workgroups1d(Math.ceil(tq / QB) * (q.size / dh / tq), WG),
    });
  }
  if (k.size > 0) {
    const tk = k.shape[2] as number;
    device.run({
      name: `attention_grad_keys_d${dh}`,
      source: `${bindings(INPUTS, ['dkv'])}\n${helpers}\n${keysKernel(dh)}`,
      params,
      buffers: [...buffers, dk.buffer],
      workgroups: workgroups1d(Math.ceil(tk / KB) * (k.size / dh / tk), WG),
    });
  }
  return { dq, dk, dv };
}

/** `a·b` over the NC head-dim vectors of two unrolled registers. */
function dot(a: (c: number) => string, b: (c: number) => string, nc: number): string {
  return range(nc)
    .map((c) => `dotv(${a(c)}, ${b(c)})`)
    .join(' + ');
}

/** Stores NC vectors `value(c)` of width W at `base` in `out`. */
function store(out: string, base: string, value: (c: number) => string, nc: number, w: number) {
  const comps = w === 1 ? [''] : ['.x', '.y', '.z', '.w'].slice(0, w);
  return range(nc).flatMap((c) =>
    comps.map((comp, e) => `${out}[${base} + ${c * w + e}u] = (${value(c)})${comp};`),
  );
}

/** dq: QB query rows of one (batch, query head) per invocation, KC keys per loop step. */
function rowsKernel(dh: number): string {
  const w = vectorWidth(dh);
  const nc = dh / w;
  const rows = range(QB);
  const keys = range(KC);
  const vecs = range(nc);
  const lines: string[] = [];
  const add = (indent: number, ...code: string[]) => {
    for (const c of code) lines.push(`${'  '.repeat(indent)}${c}`);
  };
  for (const r of rows) {
    add(1, `let t${r} = min(first + ${r}u, tq - 1u);`, `let row${r} = bh * tq + t${r};`);
    add(1, `let qo${r} = p[8] + b * p[9] + h * p[10] + t${r} * p[11];`);
    add(1, `let go${r} = p[20] + b * p[21] + h * p[22] + t${r} * p[23];`);
    add(1, `let vis${r} = ${keyEnd(`t${r}`)};`, `let lo${r} = min(${firstKey(`t${r}`)}, vis${r});`);
    add(1, `let n${r} = vis${r} - lo${r};`);
    add(1, `let L${r} = lse[row${r}];`, `let D${r} = dsum[row${r}];`);
    for (const c of vecs) add(1, `let q${r}_${c} = ld_q(qo${r} + ${c * w}u) * scale;`);
    for (const c of vecs) add(1, `let g${r}_${c} = ld_g(go${r} + ${c * w}u);`);
    for (const c of vecs) add(1, `var dq${r}_${c} = V(0.0);`);
  }
  add(1, `let keys = vis${QB - 1};`);
  add(1, `for (var j0 = lo0; j0 < keys; j0 += ${KC}u) {`);
  for (const j of keys) {
    add(2, `let kj${j} = min(j0 + ${j}u, keys - 1u);`);
    for (const c of vecs) add(2, `let k${j}_${c} = ld_k(kb + kj${j} * p[15] + ${c * w}u);`);
    for (const c of vecs) add(2, `let v${j}_${c} = ld_v(vb + kj${j} * p[19] + ${c * w}u);`);
    for (const r of rows) {
      const s = dot(
        (c) => `q${r}_${c}`,
        (c) => `k${j}_${c}`,
        nc,
      );
      const dp = dot(
        (c) => `g${r}_${c}`,
        (c) => `v${j}_${c}`,
        nc,
      );
      const seen = `j0 + ${j}u - lo${r} < n${r}`;
      add(2, `let p${r}_${j} = select(0.0, exp(${s} - L${r}), ${seen});`);
      add(2, `let ds${r}_${j} = p${r}_${j} * (${dp} - D${r});`);
      for (const c of vecs) add(2, `dq${r}_${c} += ds${r}_${j} * k${j}_${c};`);
    }
  }
  add(1, '}');
  for (const r of rows) {
    add(1, `if (first + ${r}u < tq) {`);
    add(2, `let o${r} = p[24] + b * p[25] + h * p[26] + (first + ${r}u) * p[27];`);
    add(2, ...store('dq', `o${r}`, (c) => `dq${r}_${c} * scale`, nc, w));
    add(1, '}');
  }
  return `@compute @workgroup_size(${WG})
fn main(${MAIN_ARGS}) {
  ${flatIndex(WG)}
  let hq = p[1];
  let tq = p[2];
  let blocks = (tq + ${QB - 1}u) / ${QB}u;
  // p[0] = B·Hq·Tq rows.
  if (i >= (p[0] / tq) * blocks) { return; }
  let first = (i % blocks) * ${QB}u;
  let bh = i / blocks;
  let h = bh % hq;
  let b = bh / hq;
  let kvh = h / p[4];
  let scale = bitcast<f32>(p[7]);
  let kb = p[12] + b * p[13] + kvh * p[14];
  let vb = p[16] + b * p[17] + kvh * p[18];
${lines.join('\n')}
}`;
}

/**
 * dk and dv: KB keys of one (batch, kv head) per invocation. It walks the G query heads that
 * share the kv head and, causally, only the rows from the first one that sees its first key.
 */
function keysKernel(dh: number): string {
  const w = vectorWidth(dh);
  const nc = dh / w;
  const keys = range(KB);
  const vecs = range(nc);
  const head: string[] = [];
  const body: string[] = [];
  const tail: string[] = [];
  for (const r of keys) {
    head.push(`let j${r} = min(first + ${r}u, tk - 1u);`);
    for (const c of vecs) {
      head.push(`let k${r}_${c} = ld_k(kb + j${r} * p[15] + ${c * w}u) * scale;`);
      head.push(`let v${r}_${c} = ld_v(vb + j${r} * p[19] + ${c * w}u);`);
      head.push(`var dk${r}_${c} = V(0.0);`, `var dv${r}_${c} = V(0.0);`);
    }
    const s = dot(
      (c) => `q_${c}`,
      (c) => `k${r}_${c}`,
      nc,
    );
    const dp = dot(
      (c) => `g_${c}`,
      (c) => `v${r}_${c}`,
      nc,
    );
    body.push(`let p${r} = select(0.0, exp(${s} - L), first + ${r}u - lo < n);`);
    body.push(`let ds${r} = p${r} * (${dp} - D);`);
    for (const c of vecs)
      body.push(`dv${r}_${c} += p${r} * g_${c};`, `dk${r}_${c} += ds${r} * q_${c};`);
    tail.push(`if (first + ${r}u < tk) {`);
    tail.push(`  let o${r} = p[28] + b * p[29] + kvh * p[30] + (first + ${r}u) * p[31];`);
    tail.push(...store('dkv', `o${r}`, (c) => `dk${r}_${c} * scale`, nc, w).map((l) => `  ${l}`));
    tail.push(...store('dkv', `p[32] + o${r}`, (c) => `dv${r}_${c}`, nc, w).map((l) => `  ${l}`));
    tail.push('}');
  }
  const loads = vecs.flatMap((c) => [
    `let q_${c} = ld_q(qo + ${c * w}u);`,
    `let g_${c} = ld_g(go + ${c * w}u);`,
  ]);
  const indent = (n: number, code: string[]) => code.map((l) => `${'  '.repeat(n)}${l}`).join('\n');
  return `@compute @workgroup_size(${WG})
fn main(${MAIN_ARGS}) {
  ${flatIndex(WG)}
  let hq = p[1];
  let tq = p[2];
  let tk = p[3];
  let group = p[4];
  let hkv = hq / group;
  let batches = p[0] / (hq * tq);
  let blocks = (tk + ${KB - 1}u) / ${KB}u;
  if (i >= batches * hkv * blocks) { return; }
  let first = (i % blocks) * ${KB}u;
  let bk = i / blocks;
  let kvh = bk % hkv;
  let b = bk / hkv;
  let scale = bitcast<f32>(p[7]);
  let kb = p[12] + b * p[13] + kvh * p[14];
  let vb = p[16] + b * p[17] + kvh * p[18];
${indent(1, head)}
  // Causal: row t sees key j when offset + t + 1 − span <= j <= offset + t (span: see causalSpan),
  // so no row before first − offset and none from last + span − offset on sees this block.
  let t0 = select(0u, first - min(first, p[5]), p[6] != 0u);
  let reach = first + ${KB - 1}u + p[6];
  let t1 = select(tq, min(tq, reach - min(reach, p[5])), p[6] != 0u);
  for (var gi = 0u; gi < group; gi++) {
    let h = kvh * group + gi;
    for (var t = t0; t < t1; t++) {
      let row = (b * hq + h) * tq + t;
      let qo = p[8] + b * p[9] + h * p[10] + t * p[11];
      let go = p[20] + b * p[21] + h * p[22] + t * p[23];
${indent(3, loads)}
      let L = lse[row];
      let D = dsum[row];
      let lim = ${keyEnd('t')};
      let lo = min(${firstKey('t')}, lim);
      let n = lim - lo;
${indent(3, body)}
    }
  }
${indent(1, tail)}
}`;
}
