/**
 * Register-blocked matmul for CPU adapters (SwiftShader): each invocation keeps a TM×TN block of C
 * in registers and walks K four steps at a time, reading A and B straight from storage (as vec4
 * along their contiguous dim when aligned). No workgroup memory and no barriers: on a CPU adapter
 * those cost far more than the re-reads they save, because "workgroup memory" is ordinary memory
 * and every barrier switches coroutines.
 *
 * Edges need no branches in the inner loop: rows and columns past M and N are clamped to the last
 * valid one (their results are computed and thrown away), and the K % 4 tail runs one step at a time.
 */
import type { Device } from '../device/device.js';
import type { Tensor } from '../tensor/tensor.js';
import { matmulHeader, matmulLaunch } from './matmul-launch.js';
import type { MatmulFlags, MatmulPlan } from './matmul-plan.js';

/** Outputs per invocation (rows × cols) and invocations per workgroup (x along N, y along M). */
export interface RegisterBlock {
  TM: number;
  TN: number;
  WX: number;
  WY: number;
}

/**
 * Blocks measured on SwiftShader (2 cores, 512³): 16×16 ran ~2.5–3 GFLOP/s, 8×8 ~2.0, 4×4 ~1.6.
 * Each storage read is a per-lane gather there, so the more FMAs per value read the better, and
 * spilling accumulators to the stack costs less than reading more. The 16×16 kernel takes ~1.3 s
 * to compile (~1.7 s with scalar reads), once per layout, so it is kept for aligned (vec4)
 * operands, which is what real models have; small or skinny outputs use 4×4, which also wastes
 * less at the edges.
 */
export const LARGE_BLOCK: RegisterBlock = { TM: 16, TN: 16, WX: 4, WY: 4 };
export const MEDIUM_BLOCK: RegisterBlock = { TM: 8, TN: 8, WX: 8, WY: 4 };
export const SMALL_BLOCK: RegisterBlock = { TM: 4, TN: 4, WX: 16, WY: 4 };

/** The block for a plan: one of three, chosen by coarse size and alignment, never by exact sizes. */
export function registerBlock(plan: MatmulPlan): RegisterBlock {
  if (plan.M < 16 || plan.N < 16) return SMALL_BLOCK;
  return fitWorkgroup(plan.flags.a.vec4 && plan.flags.b.vec4 ? LARGE_BLOCK : MEDIUM_BLOCK, plan);
}

/**
 * Narrows the workgroup along a dimension its tile would overshoot, moving the invocations to the
 * other one. A 64-column workgroup on a 16-column output (attention's [T, T]·[T, Dh] products)
 * would clamp three invocations in four onto the last column block and compute it four times.
 */
function fitWorkgroup(block: RegisterBlock, plan: MatmulPlan): RegisterBlock {
  const invocations = block.WX * block.WY;
  const tiles = Math.ceil(plan.N / block.TN);
  // The widest workgroup (up to WX) that wastes the fewest column tiles: 22 tiles (N = 352) in
  // workgroups of 4 would compute 24, in workgroups of 2 exactly 22.
  let wx = Math.min(block.WX, powerOfTwoAtLeast(tiles));
  for (let w = wx; w >= 1; w /= 2) if (wastedTiles(tiles, w) < wastedTiles(tiles, wx)) wx = w;
  const wy = Math.min(invocations / wx, powerOfTwoAtLeast(Math.ceil(plan.M / block.TM)));
  return { ...block, WX: wx, WY: wy };
}

function wastedTiles(tiles: number, perGroup: number): number {
  return Math.ceil(tiles / perGroup) * perGroup - tiles;
}

function powerOfTwoAtLeast(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

export function runRegisterMatmul(
  device: Device,
  plan: MatmulPlan,
  a: Tensor,
  b: Tensor,
  out: Tensor,
  block = registerBlock(plan),
): void {
  const { params, workgroups } = matmulLaunch(plan, block.TM * block.WY, block.TN * block.WX);
  device.run({
    name: `matmul_register_${block.TM}x${block.TN}`,
    source: registerMatmulSource(plan.flags, block),
    params,
    buffers: [a.buffer, b.buffer, out.buffer],
    workgroups,
  });
}

const LANE = ['x', 'y', 'z', 'w'];
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function registerMatmulSource(flags: MatmulFlags, block: RegisterBlock): string {
  const { TM, TN, WX, WY } = block;
  if (TM % 4 !== 0 || TN % 4 !== 0)
    throw new Error('register matmul: TM and TN must be multiples of 4');
  const rows = range(TM);
  const cols = range(TN);
  const quads = range(TN / 4);
  const ks = range(4);
  const A = flags.a;
  const B = flags.b;
  // Reads widen 16-bit operands to f32 as they load (element-read.ts).
  const { bindings, a: readA, b: readB, prologue } = matmulHeader(flags);

  // Per-invocation base indices (clamped so edge blocks read valid memory).
  const setup: string[] = [];
  // Loads of one 4-step chunk of K at `k`, and how to name A(r, kk) and a vec4 of B(kk, 4q..4q+3).
  const loads: string[] = [];
  let aAt: (r: number, kk: number) => string;
  let bQuad: (kk: number, q: number) => string;
  // One K step at `k` for the tail.
  let aTail: (r: number) => string;
  let bTail: (c: number) => string;

  if (A.order === 'row') {
    for (const r of rows) {
      const base = `oa + min(m0 + ${r}u, M - 1u) * lda`;
      setup.push(A.vec4 ? `let ar${r} = (${base}) >> 2u;` : `let ar${r} = ${base};`);
    }
    if (A.vec4) {
      for (const r of rows) loads.push(`let a${r} = ${readA.vec4(`ar${r} + k4`)};`);
      aAt = (r, kk) => `a${r}.${LANE[kk]}`;
      aTail = (r) => readA.scalar(`(ar${r} << 2u) + k`);
    } else {
      for (const r of rows)
        for (const kk of ks)
          loads.push(`let a${r}_${kk} = ${readA.scalar(`ar${r} + k + ${kk}u`)};`);
      aAt = (r, kk) => `a${r}_${kk}`;
      aTail = (r) => readA.scalar(`ar${r} + k`);
    }
  } else if (A.vec4) {
    // Column-major A with M % 4 == 0: one vec4 covers rows 4j..4j+3 of the block at one k.
    setup.push('let lda4 = lda >> 2u;');
    for (const j of range(TM / 4))
      setup.push(`let ac${j} = (oa + min(m0 + ${4 * j}u, M - 4u)) >> 2u;`);
    for (const kk of ks)
      for (const j of range(TM / 4))
        loads.push(`let a${kk}_${j} = ${readA.vec4(`ac${j} + (k + ${kk}u) * lda4`)};`);
    aAt = (r, kk) => `a${kk}_${r >> 2}.${LANE[r & 3]}`;
    aTail = (r) => `${readA.vec4(`ac${r >> 2} + k * lda4`)}.${LANE[r & 3]}`;
  } else {
    for (const r of rows) setup.push(`let ac${r} = oa + min(m0 + ${r}u, M - 1u);`);
    for (const kk of ks)
      for (const r of rows)
        loads.push(`let a${r}_${kk} = ${readA.scalar(`ac${r} + (k + ${kk}u) * lda`)};`);
    aAt = (r, kk) => `a${r}_${kk}`;
    aTail = (r) => readA.scalar(`ac${r} + k * lda`);
  }

  if (B.order === 'row') {
    if (B.vec4) {
      // Row-major B with N % 4 == 0: one vec4 is columns 4q..4q+3 at one k.
      setup.push('let ldb4 = ldb >> 2u;');
      for (const q of quads) setup.push(`let bc${q} = (ob + min(n0 + ${4 * q}u, N - 4u)) >> 2u;`);
      for (const kk of ks)
        for (const q of quads)
          loads.push(`let b${kk}_${q} = ${readB.vec4(`bc${q} + (k + ${kk}u) * ldb4`)};`);
      bQuad = (kk, q) => `b${kk}_${q}`;
      bTail = (c) => `${readB.vec4(`bc${c >> 2} + k * ldb4`)}.${LANE[c & 3]}`;
    } else {
      for (const c of cols) setup.push(`let bc${c} = ob + min(n0 + ${c}u, N - 1u);`);
      for (const kk of ks)
        for (const c of cols)
          loads.push(`let b${kk}_${c} = ${readB.scalar(`bc${c} + (k + ${kk}u) * ldb`)};`);
      bQuad = (kk, q) =>
        `vec4<f32>(${range(4)
          .map((i) => `b${kk}_${4 * q + i}`)
          .join(', ')})`;
      bTail = (c) => readB.scalar(`bc${c} + k * ldb`);
    }
  } else {
    for (const c of cols) {
      const base = `ob + min(n0 + ${c}u, N - 1u) * ldb`;
      setup.push(B.vec4 ? `let br${c} = (${base}) >> 2u;` : `let br${c} = ${base};`);
    }
    if (B.vec4) {
      for (const c of cols) loads.push(`let b${c} = ${readB.vec4(`br${c} + k4`)};`);
      bQuad = (kk, q) =>
        `vec4<f32>(${range(4)
          .map((i) => `b${4 * q + i}.${LANE[kk]}`)
          .join(', ')})`;
      bTail = (c) => readB.scalar(`(br${c} << 2u) + k`);
    } else {
      for (const kk of ks)
        for (const c of cols)
          loads.push(`let b${kk}_${c} = ${readB.scalar(`br${c} + k + ${kk}u`)};`);
      bQuad = (kk, q) =>
        `vec4<f32>(${range(4)
          .map((i) => `b${kk}_${4 * q + i}`)
          .join(', ')})`;
      bTail = (c) => readB.scalar(`br${c} + k`);
    }
  }

  const accs = rows.flatMap((r) => quads.map((q) => `var acc${r}_${q} = vec4<f32>();`));
  const fmas: string[] = [];
  for (const kk of ks) {
    for (const r of rows)
      for (const q of quads)
        fmas.push(`acc${r}_${q} = fma(vec4<f32>(${aAt(r, kk)}), ${bQuad(kk, q)}, acc${r}_${q});`);
  }
  const tail: string[] = [];
  for (const r of rows) tail.push(`let ta${r} = ${aTail(r)};`);
  for (const c of cols) tail.push(`let tb${c} = ${bTail(c)};`);
  for (const r of rows) {
    for (const q of quads)
      tail.push(
        `acc${r}_${q} = fma(vec4<f32>(ta${r}), vec4<f32>(${range(4)
          .map((i) => `tb${4 * q + i}`)
          .join(', ')}), acc${r}_${q});`,
      );
  }

  const stores: string[] = [];
  for (const r of rows) {
    const row = `oc + (m0 + ${r}u) * N + n0`;
    const body = flags.outVec4
      ? quads.map(
          (q) => `if (n0 + ${4 * q}u < N) { C[(${row} + ${4 * q}u) >> 2u] = acc${r}_${q}; }`,
        )
      : cols.map(
          (c) => `if (n0 + ${c}u < N) { C[${row} + ${c}u] = acc${r}_${c >> 2}.${LANE[c & 3]}; }`,
        );
    stores.push(`if (m0 + ${r}u < M) {\n    ${body.join('\n    ')}\n  }`);
  }

  return `${bindings}

@compute @workgroup_size(${WX}, ${WY}, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  ${prologue}
  let m0 = (tileY * ${WY}u + lid.y) * ${TM}u;
  let n0 = (wid.x * ${WX}u + lid.x) * ${TN}u;
  if (m0 >= M || n0 >= N) { return; }
  ${setup.join('\n  ')}
  ${accs.join('\n  ')}
  let K4 = K & ~3u;
  for (var k = 0u; k < K4; k += 4u) {
    let k4 = k >> 2u;
    ${loads.join('\n    ')}
    ${fmas.join('\n    ')}
  }
  for (var k = K4; k < K; k++) {
    ${tail.join('\n    ')}
  }
  ${stores.join('\n  ')}
}
`;
}
