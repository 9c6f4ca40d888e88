/**
 * The matmul kernels' parameter words, both sides of them: {@link matmulLaunch} packs them on the
 * host and {@link matmulHeader} is the WGSL that reads them back by position. They live in one
 * file because they must change together; the kernel files (matmul-tiled.ts, matmul-register.ts)
 * hold the rest of their WGSL.
 */
import { type ElementRead, elementRead, readPrelude } from './element-read.js';
import type { MatmulFlags, MatmulPlan } from './matmul-plan.js';

/** Largest workgroup count per dispatch dimension. */
const MAX_GROUPS = 65535;

/**
 * Params and workgroup counts for a plan whose workgroups each cover tileM×tileN outputs.
 *
 * Param words: [M, N, K, batch, lda, ldb, offA, offB, groupsY, fold,
 *               batchShape[r], aBatchStrides[r], bBatchStrides[r]].
 * The batch runs in z; past 65535 matrices, `fold` matrices share each z slice, stacked in y.
 * The kernels' prologues read these words by position: change both with this list.
 */
export function matmulLaunch(
  plan: MatmulPlan,
  tileM: number,
  tileN: number,
): {
  params: number[];
  workgroups: [number, number, number];
} {
  const gx = Math.ceil(plan.N / tileN);
  const gy = Math.ceil(plan.M / tileM);
  const fold = Math.ceil(plan.batch / MAX_GROUPS);
  if (gx > MAX_GROUPS || gy * fold > MAX_GROUPS) {
    throw new RangeError(
      `matmul: output of ${plan.batch}×${plan.M}×${plan.N} needs more workgroups than one dispatch allows`,
    );
  }
  const params = [
    plan.M,
    plan.N,
    plan.K,
    plan.batch,
    plan.a.ld,
    plan.b.ld,
    plan.a.offset,
    plan.b.offset,
    gy,
    fold,
    ...plan.mergedBatch,
    ...plan.a.batchStrides,
    ...plan.b.batchStrides,
  ];
  return { params, workgroups: [gx, gy * fold, Math.ceil(plan.batch / fold)] };
}

/**
 * The kernel's bindings (with what the operands' 16-bit reads need before them), how to read A and
 * B (`a`, `b`: f32 expressions, see element-read.ts), and the prologue of `main` (with `wid` the workgroup id) that reads the
 * param words {@link matmulLaunch} packs: `M`, `N`, `K`, `lda`, `ldb`, `tileY` (this workgroup's
 * row of tiles), `oa`/`ob` (element offsets of this matrix of A and B, walking the batch dims) and
 * `oc` (of C), returning early past the last matrix. Both kernel families start with it.
 */
export function matmulHeader(flags: MatmulFlags): {
  bindings: string;
  a: ElementRead;
  b: ElementRead;
  prologue: string;
} {
  const { nativeF16 } = flags;
  const a = elementRead('A', 1, flags.a.dtype, { vec4: flags.a.vec4, nativeF16 });
  const b = elementRead('B', 2, flags.b.dtype, { vec4: flags.b.vec4, nativeF16 });
  const r = flags.batchRank;
  const walk =
    r === 0
      ? ''
      : `var rem = bi;
  for (var d = ${r}u; d > 0u; d--) {
    let size = p[${10}u + d - 1u];
    let c = rem % size;
    rem = rem / size;
    oa += c * p[${10 + r}u + d - 1u];
    ob += c * p[${10 + 2 * r}u + d - 1u];
  }`;
  return {
    bindings: `${readPrelude([a, b])}
@group(0) @binding(0) var<storage, read> p: array<u32>;
${a.declaration}
${b.declaration}
@group(0) @binding(3) var<storage, read_write> C: array<${flags.outVec4 ? 'vec4<f32>' : 'f32'}>;`,
    a,
    b,
    prologue: `let M = p[0]; let N = p[1]; let K = p[2];
  let lda = p[4]; let ldb = p[5];
  let bi = wid.z * p[9] + wid.y / p[8];
  if (bi >= p[3]) { return; }
  let tileY = wid.y % p[8];
  var oa = p[6];
  var ob = p[7];
  ${walk}
  let oc = bi * M * N;`,
  };
}
