/**
 * matmul and embedding reading f16 / bf16 operands as they are stored, against naive float64
 * loops over the decoded 16-bit values. The inputs are exact in both, so only the f32
 * accumulation differs. Every case runs on the test device and on a second device that reads f16
 * as packed u32 words: on an adapter with `shader-f16` (lavapipe) the first takes the native path
 * and the second the packed one, so both run there.
 */
import { describe, expect, it } from 'vitest';
import {
  bf16ToF32,
  type Device,
  data,
  embedding,
  f16ToF32,
  f32ToBf16,
  f32ToF16,
  type HalfDType,
  type KernelVariant,
  matmul,
  scope,
  Tensor,
  tensor,
} from '../src/index.js';
import { planMatmul } from '../src/kernels/matmul-plan.js';
import { registerBlock, registerMatmulSource } from '../src/kernels/matmul-register.js';
import { tiledMatmulSource } from '../src/kernels/matmul-tiled.js';
import { atIndex, devicesForF16Reads, indices, randomArray, testDevice } from './helpers.js';

const deviceFor = devicesForF16Reads();

/** A storage buffer's values as the kernels should see them, and the tensor holding them. */
interface Operand {
  t: Tensor;
  values: Float32Array;
}

/**
 * A seeded [..shape] tensor of `dtype` (f32 or 16-bit, uploaded as its bits) and its values
 * decoded on the CPU. `extraRows` pads the first dim, for narrowed views.
 */
function operand(
  shape: readonly number[],
  dtype: 'f32' | HalfDType,
  seed: number,
  device: Device,
): Operand {
  const n = shape.reduce((p, d) => p * d, 1);
  const raw = randomArray(n, seed, -2, 2);
  if (dtype === 'f32') return { t: tensor(raw, shape, 'f32', device), values: raw };
  const bits = dtype === 'bf16' ? f32ToBf16(raw) : f32ToF16(raw);
  const values = dtype === 'bf16' ? bf16ToF32(bits) : f16ToF32(bits);
  const bytes = new Uint8Array(bits.buffer);
  return { t: Tensor.fromBytes(bytes, dtype, shape, { dtype, device }), values };
}

/** Naive batched matmul in float64 over two views, reading each through its strides. */
function reference(a: Tensor, av: Float32Array, b: Tensor, bv: Float32Array): Float64Array {
  const [M, K] = a.shape.slice(-2) as [number, number];
  const N = b.shape.at(-1) as number;
  const rank = Math.max(a.rank, b.rank) - 2;
  const pad = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const batch = pad(a.shape.slice(0, -2)).map((d, i) =>
    Math.max(d, pad(b.shape.slice(0, -2))[i] as number),
  );
  const at = (x: Tensor, v: Float32Array, idx: number[], i: number, j: number) => {
    const own = x.shape.slice(0, -2);
    const bi = idx.slice(rank - own.length).map((c, d) => (own[d] === 1 ? 0 : c));
    return atIndex(v, x.strides, x.offset, [...bi, i, j]);
  };
  const out = new Float64Array(batch.reduce((p, d) => p * d, 1) * M * N);
  let o = 0;
  for (const idx of indices(batch)) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += at(a, av, idx, i, k) * at(b, bv, idx, k, j);
        out[o++] = s;
      }
    }
  }
  return out;
}

interface Case {
  name: string;
  /** Shapes of the stored A and B, and how each is viewed before the product. */
  a: readonly number[];
  b: readonly number[];
  viewA?: (t: Tensor) => Tensor;
  viewB?: (t: Tensor) => Tensor;
}

const T = (t: Tensor) => t.transpose();
const CASES: Case[] = [
  // x · Wᵀ as autograd's linear and the LM head run it: column-major B, vec4 along K.
  { name: 'x · Wᵀ, aligned (vec4)', a: [5, 64], b: [12, 64], viewB: T },
  { name: 'x · Wᵀ, large block', a: [32, 64], b: [32, 64], viewB: T },
  { name: 'x · Wᵀ, K % 4 = 3', a: [6, 39], b: [10, 39], viewB: T },
  // g · W as the backward of linear runs it: row-major B, vec4 along N.
  { name: 'g · W, row-major B (vec4)', a: [7, 20], b: [20, 16], viewB: undefined },
  { name: 'g · W, N % 4 = 2', a: [7, 9], b: [9, 18] },
  // 16-bit A, row- and column-major.
  { name: 'W · x, 16-bit A', a: [12, 32], b: [32, 5] },
  { name: 'Wᵀ · x, column-major A', a: [32, 12], b: [32, 6], viewA: T },
  // Batch broadcast, and offsets from narrow (aligned: vec4 stays on; odd: scalar reads).
  { name: 'batch broadcast', a: [2, 3, 4, 16], b: [8, 16], viewB: T },
  { name: 'per-batch B', a: [2, 1, 4, 8], b: [3, 8, 8] },
  {
    name: 'narrowed rows of W (offset 3·K)',
    a: [4, 32],
    b: [11, 32],
    viewB: (t) => t.narrow(0, 3, 8).transpose(),
  },
  {
    name: 'narrowed columns of W (odd offset, stride K)',
    a: [4, 15],
    b: [9, 16],
    viewB: (t) => t.narrow(1, 1, 15).transpose(),
  },
];

const DTYPE_PAIRS: ['f32' | HalfDType, 'f32' | HalfDType][] = [
  ['f32', 'bf16'],
  ['f32', 'f16'],
  ['bf16', 'f32'],
  ['f16', 'bf16'],
];

describe.each(['default', 'packed'] as const)('16-bit matmul (%s f16 reads)', (which) => {
  describe.each(['register', 'tiled'] as KernelVariant[])('%s kernel', (variant) => {
    it.each(DTYPE_PAIRS)('a %s × b %s, every layout', async (da, db) => {
      const device = deviceFor(which);
      let seed = 1;
      for (const c of CASES) {
        await scope(async () => {
          const a = operand(c.a, da, seed++, device);
          const b = operand(c.b, db, seed++, device);
          const va = c.viewA ? c.viewA(a.t) : a.t;
          const vb = c.viewB ? c.viewB(b.t) : b.t;
          const out = matmul(va, vb, { variant });
          expect(out.dtype, c.name).toBe('f32');
          const expected = reference(va, a.values, vb, b.values);
          expect(await data(out), `${c.name}: ${va.toString()} · ${vb.toString()}`).toBeAllclose(
            expected,
            { rtol: 1e-5, atol: 1e-5 },
          );
        });
      }
    });
  });
});

describe('16-bit matmul: which reads the kernels generate', () => {
  const view = (dtype: 'f32' | HalfDType) => ({
    ...{ rows: 8, cols: 16, rowStride: 16, colStride: 1, offset: 0, batchStrides: [] },
    dtype,
  });

  it('f16 natively (enable f16, vec4<f16>) only where the device has shader-f16', async () => {
    const device = await testDevice();
    expect(device.nativeF16).toBe(device.features.has('shader-f16'));
    expect(deviceFor('packed').nativeF16).toBe(false);
    const plan = (native: boolean) =>
      planMatmul(view('f32'), view('f16'), [], { nativeF16: native });
    const native = registerMatmulSource(plan(true).flags, registerBlock(plan(true)));
    expect(native).toMatch(/^enable f16;/);
    expect(native).toContain('var<storage, read> B: array<vec4<f16>>');
    const unpacked = registerMatmulSource(plan(false).flags, registerBlock(plan(false)));
    expect(unpacked).not.toContain('enable f16');
    expect(unpacked).toContain('var<storage, read> B: array<vec2<u32>>');
    expect(unpacked).toContain('unpack2x16float');
  });

  it('bf16 always as u32 words, in both kernel families', () => {
    const plan = planMatmul(view('bf16'), { ...view('bf16'), cols: 15, rowStride: 15 }, [], {
      nativeF16: true,
    });
    for (const source of [
      registerMatmulSource(plan.flags, registerBlock(plan)),
      tiledMatmulSource(plan.flags),
    ]) {
      expect(source).toContain('var<storage, read> A: array<vec2<u32>>');
      expect(source).toContain('var<storage, read> B: array<u32>');
      expect(source).not.toContain('enable f16');
    }
  });
});

describe.each(['default', 'packed'] as const)('16-bit embedding (%s f16 reads)', (which) => {
  it.each(['bf16', 'f16'] as HalfDType[])('gathers rows of a %s table exactly', async (dtype) => {
    const device = deviceFor(which);
    await scope(async () => {
      const [V, D] = [13, 7];
      const w = operand([V, D], dtype, 3, device);
      const ids = tensor(new Int32Array([0, 12, 5, 5, -1, 40, 7]), [7], 'i32', device);
      // Out-of-range ids clamp, as for f32 tables.
      const rows = [0, 12, 5, 5, 0, 12, 7];
      const gather = (from: number, width: number) =>
        rows.flatMap((r) => [...w.values.subarray(r * D + from, r * D + from + width)]);
      const out = embedding(w.t, ids);
      expect(out.dtype).toBe('f32');
      expect([...(await data(out))]).toEqual(gather(0, D));
      // A strided view (columns 1..5: odd offset, row stride 7) reads through its strides.
      expect([...(await data(embedding(w.t.narrow(1, 1, 5), ids)))]).toEqual(gather(1, 5));
    });
  });
});
