/**
 * Workgroup-memory tiled matmul for GPUs: a 16×16 workgroup computes a 64×64 tile of C, each
 * invocation a 4×4 block of it (rows `ly + 16·r`, columns `lx + 16·c`, so neighbouring invocations
 * touch neighbouring addresses). K is walked in slices of 16: the workgroup stages a 64×16 slice of
 * A and a 16×64 slice of B in workgroup memory, reading along each operand's contiguous dim so
 * global reads coalesce, then every invocation accumulates from the staged copies.
 */
import type { Device } from '../device/device.js';
import type { Tensor } from '../tensor/tensor.js';
import { matmulHeader, matmulLaunch } from './matmul-launch.js';
import type { MatmulFlags, MatmulPlan } from './matmul-plan.js';

const TILE = 64;
const TK = 16;
const WG = 16;
const PER = TILE / WG; // outputs per invocation along each dim
const LOADS = (TILE * TK) / (WG * WG); // elements of each slice each invocation stages

export function runTiledMatmul(
  device: Device,
  plan: MatmulPlan,
  a: Tensor,
  b: Tensor,
  out: Tensor,
): void {
  const { params, workgroups } = matmulLaunch(plan, TILE, TILE);
  device.run({
    name: 'matmul_tiled',
    source: tiledMatmulSource(plan.flags),
    params,
    buffers: [a.buffer, b.buffer, out.buffer],
    workgroups,
  });
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function tiledMatmulSource(flags: MatmulFlags): string {
  // Scalar reads of A and B, widened to f32 when 16-bit (element-read.ts).
  const { bindings, a: readA, b: readB, prologue } = matmulHeader(flags);
  // Staging: invocation t reads element e = t + 256·i of the slice; which of (row, k) varies
  // fastest with e follows the operand's contiguous dim.
  const aIdx =
    flags.a.order === 'row'
      ? { m: `e / ${TK}u`, k: `e % ${TK}u` }
      : { m: `e % ${TILE}u`, k: `e / ${TILE}u` };
  const bIdx =
    flags.b.order === 'row'
      ? { n: `e % ${TILE}u`, k: `e / ${TILE}u` }
      : { n: `e / ${TK}u`, k: `e % ${TK}u` };
  const aAddr = flags.a.order === 'row' ? 'oa + gm * lda + gk' : 'oa + gm + gk * lda';
  const bAddr = flags.b.order === 'row' ? 'ob + gk * ldb + gn' : 'ob + gk + gn * ldb';
  const stage = range(LOADS)
    .map(
      (i) => `{
      let e = t + ${i * WG * WG}u;
      let mm = ${aIdx.m}; let ak = ${aIdx.k};
      let gm = mBase + mm; let gk = k0 + ak;
      var v = 0.0;
      if (gm < M && gk < K) { v = ${readA.scalar(aAddr)}; }
      As[ak * ${TILE}u + mm] = v;
      let nn = ${bIdx.n}; let bk = ${bIdx.k};
      let gn = nBase + nn; let gk2 = k0 + bk;
      var w = 0.0;
      if (gn < N && gk2 < K) { w = ${readB.scalar(bAddr.replaceAll('gk', 'gk2'))}; }
      Bs[bk * ${TILE}u + nn] = w;
    }`,
    )
    .join('\n    ');
  const rows = range(PER);
  const cols = range(PER);
  const accs = rows.map((r) => `var acc${r} = vec4<f32>();`).join('\n  ');
  const compute = `for (var kk = 0u; kk < ${TK}u; kk++) {
      let row = kk * ${TILE}u;
      let bv = vec4<f32>(${cols.map((c) => `Bs[row + lx + ${c * WG}u]`).join(', ')});
      ${rows.map((r) => `acc${r} += As[row + ly + ${r * WG}u] * bv;`).join('\n      ')}
    }`;
  const lanes = ['x', 'y', 'z', 'w'];
  const stores = rows
    .map((r) => {
      const body = cols
        .map((c) => {
          const n = `nBase + lx + ${c * WG}u`;
          const idx = `oc + m * N + ${n}`;
          const write = flags.outVec4
            ? `C[(${idx}) >> 2u][(${idx}) & 3u] = acc${r}.${lanes[c]};`
            : `C[${idx}] = acc${r}.${lanes[c]};`;
          return `if (${n} < N) { ${write} }`;
        })
        .join('\n      ');
      return `{
    let m = mBase + ly + ${r * WG}u;
    if (m < M) {
      ${body}
    }
  }`;
    })
    .join('\n  ');
  return `${bindings}
var<workgroup> As: array<f32, ${TILE * TK}>;
var<workgroup> Bs: array<f32, ${TILE * TK}>;

@compute @workgroup_size(${WG}, ${WG}, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  ${prologue}
  let lx = lid.x;
  let ly = lid.y;
  let t = ly * ${WG}u + lx;
  let mBase = tileY * ${TILE}u;
  let nBase = wid.x * ${TILE}u;
  ${accs}
  for (var k0 = 0u; k0 < K; k0 += ${TK}u) {
    ${stage}
    workgroupBarrier();
    ${compute}
    workgroupBarrier();
  }
  ${stores}
}
`;
}
