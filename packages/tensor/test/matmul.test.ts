import { beforeAll, describe, expect, it } from 'vitest';
import { data, type KernelVariant, matmul, reshape, type Tensor, tensor } from '../src/index.js';
import { matmulLaunch } from '../src/kernels/matmul-launch.js';
import { planMatmul } from '../src/kernels/matmul-plan.js';
import { atIndex, indices, randomArray, randomTensor, testDevice } from './helpers.js';

/** A tensor view together with the CPU copy of its storage, so the reference can read it through the same strides. */
interface Operand {
  t: Tensor;
  data: Float32Array;
}

/** Naive batched matmul over views: reads both operands through their strides, broadcasting batch dims. */
function reference(a: Operand, b: Operand): { shape: number[]; values: Float32Array } {
  const [M, K] = a.t.shape.slice(-2) as [number, number];
  const N = b.t.shape.at(-1) as number;
  const aBatch = a.t.shape.slice(0, -2);
  const bBatch = b.t.shape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const pad = (s: readonly number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const batch = pad(aBatch).map((d, i) => Math.max(d, pad(bBatch)[i] as number));
  const values = new Float32Array(batch.reduce((p, d) => p * d, 1) * M * N);
  const pick = (x: Operand, idx: number[], i: number, j: number) => {
    const own = x.t.shape.slice(0, -2);
    const bi = idx.slice(rank - own.length).map((v, d) => (own[d] === 1 ? 0 : v));
    return atIndex(x.data, x.t.strides, x.t.offset, [...bi, i, j]);
  };
  let o = 0;
  for (const idx of indices(batch)) {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += pick(a, idx, i, k) * pick(b, idx, k, j);
        values[o++] = s;
      }
    }
  }
  return { shape: [...batch, M, N], values };
}

let seed = 1;
function rand(shape: number[]): Operand {
  const { t, x } = randomTensor(shape, seed++);
  return { t, data: x };
}
/** A random tensor of `shape` viewed with its last two dims swapped: a column-major operand. */
function randT(shape: number[]): Operand {
  const s = [...shape];
  const n = s.length;
  [s[n - 2], s[n - 1]] = [s[n - 1] as number, s[n - 2] as number];
  const { t, data } = rand(s);
  return { t: t.transpose(), data };
}

async function check(a: Operand, b: Operand, variant: KernelVariant): Promise<void> {
  const want = reference(a, b);
  const c = matmul(a.t, b.t, { variant });
  expect(c.shape).toEqual(want.shape);
  expect(await data(c)).toBeAllclose(want.values, { rtol: 1e-4, atol: 1e-4 });
  c.dispose();
}

beforeAll(async () => {
  await testDevice();
});

describe.each(['register', 'tiled'] as const)('matmul (%s kernels)', (variant) => {
  it.each([
    [1, 1, 1],
    [4, 4, 4],
    [16, 16, 16],
    [64, 64, 64],
    [3, 5, 7],
    [17, 33, 9],
    [65, 3, 130],
    [33, 67, 70],
    [8, 12, 20],
    [1, 40, 9],
    [9, 40, 1],
    // Tall and narrow, short and wide: the register kernels narrow their workgroup to the output.
    [300, 24, 16],
    [130, 12, 36],
    [16, 20, 300],
  ])('%i×%i · %i×… (M×K, K×N)', async (M, K, N) => {
    await check(rand([M, K]), rand([K, N]), variant);
  });

  it.each([
    [17, 33, 9],
    [16, 20, 12],
    [5, 8, 6],
    [12, 7, 4],
    // Large enough for the register kernels' 16×16 block (aligned, vec4) and 8×8 block (unaligned).
    [20, 8, 24],
    [18, 7, 17],
  ])('transposed operands %i×%i×%i, read through strides', async (M, K, N) => {
    await check(randT([M, K]), rand([K, N]), variant);
    await check(rand([M, K]), randT([K, N]), variant);
    await check(randT([M, K]), randT([K, N]), variant);
  });

  it('narrow and slice views with offsets', async () => {
    const base = rand([20, 40]);
    const bb = rand([44, 24]);
    // Unaligned offset and leading stride 40; aligned offset 4 (vec4 path with an offset).
    await check(
      { t: base.t.narrow(1, 3, 33).narrow(0, 1, 13), data: base.data },
      { t: bb.t.narrow(0, 5, 33).narrow(1, 2, 9), data: bb.data },
      variant,
    );
    await check(
      { t: base.t.narrow(1, 4, 32).narrow(0, 2, 16), data: base.data },
      { t: bb.t.narrow(0, 4, 32).narrow(1, 4, 16), data: bb.data },
      variant,
    );
    // A slice of a transposed view.
    const tb = randT([30, 12]);
    await check(
      { t: base.t.slice(1, 8, 38).slice(0, 0, 7), data: base.data },
      { t: tb.t.slice(1, 1, 11), data: tb.data },
      variant,
    );
  });

  it('a view with no contiguous dim is copied first', async () => {
    const x = rand([6, 10]);
    // [6, 5] with strides [10, 2]: neither row- nor column-major.
    const strided = reshape(x.t, [6, 5, 2]).narrow(2, 1, 1).squeeze(2);
    expect(strided.strides).toEqual([10, 2]);
    await check({ t: strided, data: x.data }, rand([5, 7]), variant);
  });

  it('batched with broadcast batch dims', async () => {
    await check(rand([2, 3, 5, 8]), rand([8, 6]), variant);
    await check(rand([2, 1, 7, 4]), rand([1, 3, 4, 9]), variant);
    await check(rand([2, 1, 17, 8]), rand([1, 3, 8, 20]), variant);
    await check(rand([3, 6, 5]), rand([3, 5, 8]), variant);
    await check(rand([4, 4]), rand([2, 3, 4, 5]), variant);
    await check(randT([2, 3, 5, 8]), randT([3, 8, 4]), variant);
    // Expanded (stride-0) batch dims and a permuted batch.
    const e = rand([1, 5, 8]);
    await check({ t: e.t.expand([3, 5, 8]), data: e.data }, rand([3, 8, 4]), variant);
    const p = rand([5, 2, 8]);
    await check({ t: p.t.permute([1, 0, 2]), data: p.data }, rand([2, 8, 12]), variant);
  });

  it('empty dims', async () => {
    const c = matmul(tensor(new Float32Array(0), [3, 0]), tensor(new Float32Array(0), [0, 4]), {
      variant,
    });
    expect(c.shape).toEqual([3, 4]);
    expect(Array.from(await data(c))).toEqual(new Array(12).fill(0));
    expect(
      matmul(tensor(new Float32Array(0), [0, 2]), tensor([1, 2], [2, 1]), { variant }).shape,
    ).toEqual([0, 1]);
  });

  it('switches on device.kernelVariant when no variant is given', async () => {
    const device = await testDevice();
    const before = device.kernelVariant;
    device.kernelVariant = variant;
    try {
      const a = rand([9, 13]);
      const b = rand([13, 6]);
      const want = reference(a, b);
      expect(await data(matmul(a.t, b.t))).toBeAllclose(want.values, { rtol: 1e-4, atol: 1e-4 });
    } finally {
      device.kernelVariant = before;
    }
  });
});

describe('matmul errors', () => {
  it('rejects non-f32 dtypes with a TypeError naming them', () => {
    const a = tensor(new Int32Array([1, 2, 3, 4]), [2, 2]);
    const b = tensor([1, 2, 3, 4], [2, 2]);
    expect(() => matmul(a, b)).toThrow(TypeError);
    expect(() => matmul(a, b)).toThrow(/matmul: a must be f32 or f16 or bf16, got i32\[2, 2\]/);
  });

  it('names both shapes on a mismatch', () => {
    const a = tensor(randomArray(6, 1), [2, 3]);
    const b = tensor(randomArray(8, 2), [4, 2]);
    expect(() => matmul(a, b)).toThrow(/\[2, 3\] and \[4, 2\]/);
    expect(() => matmul(tensor([1, 2], [2]), b)).toThrow(/\[2\] and \[4, 2\]/);
    const c = tensor(randomArray(24, 3), [2, 3, 4]);
    const d = tensor(randomArray(36, 4), [3, 4, 3]);
    expect(() => matmul(c, d)).toThrow(/\[2, 3, 4\] and \[3, 4, 3\]/);
  });
});

describe('matmul launch', () => {
  const view = (rows: number, cols: number) => ({
    rows,
    cols,
    rowStride: cols,
    colStride: 1,
    offset: 0,
    batchStrides: [rows * cols],
    dtype: 'f32' as const,
  });
  it('folds batches past 65535 into y', () => {
    const plan = planMatmul(view(8, 8), view(8, 8), [70000]);
    const { params, workgroups } = matmulLaunch(plan, 32, 32);
    expect(workgroups).toEqual([1, 2, 35000]);
    expect(params.slice(8, 10)).toEqual([1, 2]);
  });

  it('specialises the kernel on layout and alignment only', () => {
    const a = planMatmul(view(64, 32), view(32, 16), [3]);
    const b = planMatmul(view(128, 8), view(8, 48), [5]);
    expect(a.flags).toEqual(b.flags);
    expect(a.flags).toEqual({
      a: { order: 'row', vec4: true, dtype: 'f32' },
      b: { order: 'row', vec4: true, dtype: 'f32' },
      nativeF16: false,
      outVec4: true,
      batchRank: 1,
    });
  });

  it('reads vec4 only where no 4-element group can straddle a row end', () => {
    // Leading stride and offset aligned, but K = 30: a vec4 at the end of a row would cross it.
    const sliced = {
      ...{ rows: 8, cols: 30, rowStride: 40, colStride: 1, offset: 8, batchStrides: [] },
      dtype: 'f32' as const,
    };
    expect(planMatmul(sliced, view(30, 16), []).flags.a.vec4).toBe(false);
    expect(planMatmul({ ...sliced, cols: 32 }, view(32, 16), []).flags.a.vec4).toBe(true);
  });
});
