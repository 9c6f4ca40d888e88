import type { Device } from '../device/device.js';
import { Tensor } from '../tensor/tensor.js';
import { flatIndex, MAIN_ARGS, workgroups1d } from './dispatch-size.js';
import { planRowWalk, rowBaseWgsl, rowWalkWords } from './row-walk.js';
import { SINCOS_WGSL } from './sincos-wgsl.js';

/** Which elements of a head form a rotated pair. */
export type RopeLayout = 'half' | 'interleaved';

/** Where pair `k` of a head of `h = Dh/2` pairs lives, per layout. */
const PAIR: Record<RopeLayout, string> = {
  // Hugging Face's rotate_half: (k, k + Dh/2).
  half: 'vec2<u32>(k, k + h)',
  // GPT-J / llama2.c / GGUF: adjacent elements (2k, 2k + 1).
  interleaved: 'vec2<u32>(2u * k, 2u * k + 1u)',
};

/**
 * Rotates each pair `(x1, x2)` of the last axis of f32 `x` ([…, T, Dh], any layout) by
 * `angle = (offset + t) · invFreq[k]` (or by −angle when `inverse`), into a fresh dense tensor in
 * `x`'s memory order: heads viewed out of a [B, T, H·Dh] projection stay token-major, so merging
 * them back (and the gradient's way back) needs no copy. `invFreq` must be dense [Dh/2] (read from
 * its offset).
 */
export function runRope(
  device: Device,
  x: Tensor,
  invFreq: Tensor,
  layout: RopeLayout,
  offset: number,
  inverse: boolean,
): Tensor {
  const out = Tensor.emptyLike(x);
  if (x.size === 0) return out;
  const walk = planRowWalk(x.layout, x.rank - 1, out.strides);
  const pairs = x.size / 2;
  const extra = rowWalkWords(walk.rank);
  device.run({
    name: `rope_${layout}`,
    source: ropeSource(layout, walk.rank, extra),
    params: [
      ...walk.params,
      pairs,
      x.shape[x.rank - 2] as number,
      offset,
      invFreq.offset,
      inverse ? 1 : 0,
    ],
    buffers: [x.buffer, invFreq.buffer, out.buffer],
    workgroups: workgroups1d(pairs, 64),
  });
  return out;
}

function ropeSource(layout: RopeLayout, rank: number, extra: number): string {
  return `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> inv_freq: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
${rowBaseWgsl(rank)}

${SINCOS_WGSL}

@compute @workgroup_size(64)
fn main(${MAIN_ARGS}) {
  ${flatIndex(64)}
  if (i >= p[${extra}u]) { return; }
  let h = p[1] / 2u;
  let row = i / h;
  let k = i % h;
  let pos = p[${extra + 2}u] + row % p[${extra + 1}u];
  // Same order of operations as Hugging Face: angle = pos * inv_freq in f32, then cos and sin.
  let sc = sincos_(f32(pos) * inv_freq[p[${extra + 3}u] + k]);
  let c = sc.y;
  let s = select(sc.x, -sc.x, p[${extra + 4}u] == 1u);
  let b = row_base(row);
  let e = ${PAIR[layout]};
  let x1 = x[b.x + e.x * p[3]];
  let x2 = x[b.x + e.y * p[3]];
  y[b.y + e.x * p[4]] = x1 * c - x2 * s;
  y[b.y + e.y * p[4]] = x2 * c + x1 * s;
}`;
}
