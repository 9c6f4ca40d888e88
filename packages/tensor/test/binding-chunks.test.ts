/**
 * Tensors over `maxStorageBufferBindingSize`: matmul and embedding bind them in row chunks (byte
 * ranges of the one buffer), every other op fails with a DeviceLimitError, and buffer copies
 * (data, copy) need no binding. Most cases run on a device whose binding limit is shrunk to 1 MiB,
 * so they run on any adapter; the last ones use lavapipe's real 128 MiB limit.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  bf16ToF32,
  copy,
  Device,
  DeviceLimitError,
  data,
  embedding,
  exp,
  f16ToF32,
  f32ToBf16,
  f32ToF16,
  type KernelCall,
  type KernelVariant,
  matmul,
  scope,
  Tensor,
  tensor,
  zeros,
} from '../src/index.js';
import { randomArray, rng, testDevice, thrown, valuesOf } from './helpers.js';

const MiB = 2 ** 20;
const TOL = { rtol: 1e-4, atol: 1e-4 };

/** A tensor (or a view of one) with the CPU copy of its storage. */
interface Matrix {
  t: Tensor;
  storage: Float32Array;
}

/** The view's values in row-major order of its shape, read from the storage through its strides. */
function valuesOfMatrix(m: Matrix): ArrayLike<number> {
  return m.t.isContiguous && m.t.offset === 0 ? m.storage : valuesOf(m.storage, m.t);
}

/** C = A · B over the last two dims in f64, batch dims of A only (B is one matrix or per-batch). */
function naiveMatmul(a: Matrix, b: Matrix): Float64Array {
  const [M, K] = a.t.shape.slice(-2) as [number, number];
  const N = b.t.shape.at(-1) as number;
  const batch = a.t.size / (M * K);
  const bMatrices = b.t.size / (K * N);
  const av = valuesOfMatrix(a);
  const bv = valuesOfMatrix(b);
  const out = new Float64Array(batch * M * N);
  for (let bi = 0; bi < batch; bi++) {
    const aBase = bi * M * K;
    const bBase = (bMatrices === 1 ? 0 : bi) * K * N;
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++)
          s += (av[aBase + m * K + k] as number) * (bv[bBase + k * N + n] as number);
        out[(bi * M + m) * N + n] = s;
      }
  }
  return out;
}

/** Rows of a [V, D] table for ids clamped into [0, V), as embedding documents. */
function naiveEmbedding(table: Matrix, ids: ArrayLike<number>): Float64Array {
  const [V, D] = table.t.shape as [number, number];
  const values = valuesOfMatrix(table);
  const out = new Float64Array(ids.length * D);
  for (let i = 0; i < ids.length; i++) {
    const row = Math.min(Math.max(ids[i] as number, 0), V - 1);
    for (let d = 0; d < D; d++) out[i * D + d] = values[row * D + d] as number;
  }
  return out;
}

/** A recorded launch: its kernel, the bytes of each binding and where each starts (0: whole buffer). */
interface Launch {
  name: string;
  bound: number[];
  offsets: number[];
}

/** Every kernel launch `fn` records on `device`. */
function launches(device: Device, fn: () => void): Launch[] {
  const calls: KernelCall[] = [];
  const run = device.run.bind(device);
  const spy = vi.spyOn(device, 'run').mockImplementation((call) => {
    calls.push(call);
    run(call);
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return calls.map((c) => ({
    name: c.name,
    bound: c.buffers.map((b) => b.size),
    offsets: c.buffers.map((b) => ('offset' in b ? b.offset : 0)),
  }));
}

describe('a binding limit of 1 MiB: tensors over it are read in row chunks', () => {
  const limit = MiB;
  let small: Device;
  /** A 64 KiB binding limit, for one-row chunks of a row short enough to multiply quickly. */
  let tiny: Device;
  let seed = 1;
  /** A random tensor (on the small device unless told), with its values. */
  const random = (shape: number[], device = small): Matrix => {
    const storage = randomArray(
      shape.reduce((p, d) => p * d, 1),
      seed++,
    );
    return { t: tensor(storage, shape, 'f32', device), storage };
  };
  /** A view of a tensor, over the same storage. */
  const viewOf = (m: Matrix, view: (t: Tensor) => Tensor): Matrix => ({
    t: view(m.t),
    storage: m.storage,
  });

  beforeAll(async () => {
    await testDevice();
    small = await Device.create({
      limitsOverride: { maxBufferSize: 8 * MiB, maxStorageBufferBindingSize: limit },
    });
    tiny = await Device.create({ limitsOverride: { maxStorageBufferBindingSize: 64 * 1024 } });
  });
  afterEach(async () => {
    await small.sync();
    await tiny.sync();
  });
  afterAll(() => {
    small?.destroy();
    tiny?.destroy();
  });

  /**
   * matmul(a, b) against the naive loop, on both kernel families; every launch binds at most the
   * device's binding limit, and the product took more than one launch (it was split).
   */
  async function checkMatmul(a: Matrix, b: Matrix): Promise<void> {
    const want = naiveMatmul(a, b);
    const device = a.t.device;
    const limit = device.bufferLimits.maxStorageBufferBindingSize;
    for (const variant of ['register', 'tiled'] as KernelVariant[]) {
      let c: Tensor | undefined;
      const calls = launches(device, () => {
        c = matmul(a.t, b.t, { variant });
      });
      expect(calls.length, variant).toBeGreaterThan(1);
      for (const call of calls)
        for (const bytes of call.bound) expect(bytes).toBeLessThanOrEqual(limit);
      expect(await data(c as Tensor), variant).toBeAllclose(want, TOL);
      c?.dispose();
    }
  }

  it('x · Wᵀ with W [3000, 256] (3 MiB): column blocks of the output, one per chunk of W', async () => {
    await scope(async () => {
      const w = random([3000, 256]);
      await checkMatmul(
        random([8, 256]),
        viewOf(w, (t) => t.transpose()),
      );
    });
  });

  it('rows whose byte size does not divide the alignment (W [3000, 250], 1000-byte rows)', async () => {
    await scope(async () => {
      const w = random([3000, 250]);
      await checkMatmul(
        random([5, 250]),
        viewOf(w, (t) => t.transpose()),
      );
    });
  });

  it('chunks of a single row: A [2, 16000] and W [3, 16000] under a 64 KiB limit, each row just under it', async () => {
    await scope(async () => {
      const x = random([2, 16000], tiny);
      const w = random([3, 16000], tiny);
      await checkMatmul(
        x,
        viewOf(w, (t) => t.transpose()),
      );
    });
  });

  it('narrow() views that start off the alignment: W[37:, 3:253] and x[:, 3:253]', async () => {
    await scope(async () => {
      const w = viewOf(random([3000, 256]), (t) => t.narrow(0, 37, 2900).narrow(1, 3, 250));
      const x = viewOf(random([6, 256]), (t) => t.narrow(1, 3, 250));
      await checkMatmul(
        x,
        viewOf(w, (t) => t.transpose()),
      );
    });
  });

  it('batch dims on A: [2, 3, K] · Wᵀ, dense (batch merged into rows) and permuted (one matrix at a time)', async () => {
    await scope(async () => {
      const wt = viewOf(random([2100, 128]), (t) => t.transpose());
      await checkMatmul(random([2, 3, 128]), wt);
      const permuted = viewOf(random([3, 2, 128]), (t) => t.transpose(0, 1));
      await checkMatmul(permuted, wt);
    });
  });

  it('a batched big B: [2, 4, 256] · [2, 1100, 256]ᵀ (1.1 MiB per matrix)', async () => {
    await scope(async () => {
      const w = viewOf(random([2, 1100, 256]), (t) => t.transpose());
      await checkMatmul(random([2, 4, 256]), w);
    });
  });

  it('the big operand as A (rows of A and C) and a big output C (rows of C)', async () => {
    await scope(async () => {
      await checkMatmul(random([3000, 256]), random([256, 16])); // A 3 MiB
      await checkMatmul(random([3000, 64]), random([64, 128])); // C 1.5 MiB
    });
  });

  it('a big row-major B (g · W) and a big column-major A (Wᵀ · y): partial products over K, summed', async () => {
    await scope(async () => {
      const w = random([3000, 256]);
      await checkMatmul(random([4, 3000]), w);
      await checkMatmul(
        viewOf(w, (t) => t.transpose()),
        random([3000, 8]),
      );
    });
  });

  it('no copy of the big operand: peak memory grows by the output (and block temporaries) only', async () => {
    await scope(async () => {
      const w = random([3000, 256]); // 3 MiB
      const x = random([8, 256]);
      const g = random([4, 3000]);
      for (const [what, run] of [
        ['x · Wᵀ', () => matmul(x.t, w.t.transpose())],
        ['g · W', () => matmul(g.t, w.t)],
      ] as const) {
        await small.sync();
        small.pool.resetPeak();
        const before = small.memoryStats().bytesLive;
        const c = run();
        await small.sync();
        const grown = small.memoryStats().peakBytesLive - before;
        // Beyond the output: param words and, for g · W, a few [4, 256] partial sums (4 KiB each).
        expect(grown, what).toBeLessThan(c.buffer.size + 64 * 1024);
        c.dispose();
      }
    });
  });

  it('embedding of a [3000, 256] table: first, last, chunk-boundary and clamped ids', async () => {
    await scope(async () => {
      const table = random([3000, 256]);
      const next = rng(7);
      // Chunks of 1 KiB rows end a little before each 1 MiB (1020 rows): ids all around there.
      const near = [1018, 1019, 1020, 1021, 1022, 1023, 1024, 2038, 2039, 2040, 2041, 2047, 2048];
      const ids = Int32Array.from([
        0,
        2999,
        ...near,
        -5,
        5000,
        ...Array.from({ length: 300 }, () => Math.floor(next() * 3000)),
      ]);
      let y: Tensor | undefined;
      const calls = launches(small, () => {
        y = embedding(table.t, tensor(ids, [ids.length], 'i32', small));
      });
      const gathers = calls.filter((c) => c.name.startsWith('embedding'));
      expect(gathers.length).toBeGreaterThan(1);
      for (const call of gathers)
        for (const bytes of call.bound) expect(bytes).toBeLessThanOrEqual(limit);
      expect(y?.shape).toEqual([ids.length, 256]);
      expect(await data(y as Tensor)).toBeAllclose(naiveEmbedding(table, ids), {
        rtol: 0,
        atol: 0,
      });
    });
  });

  it.each(['bf16', 'f16'] as const)(
    'a %s weight over the limit: x · Wᵀ and embedding read its chunks as 16-bit words',
    async (dtype) => {
      await scope(async () => {
        // 512- and 500-byte rows: 16-bit chunk ranges start on even elements either way.
        for (const cols of [256, 250]) {
          const rows = 4200; // 2.1 MB in 16 bits: three chunks of a 1 MiB binding
          const values = randomArray(rows * cols, seed++);
          const bits = dtype === 'bf16' ? f32ToBf16(values) : f32ToF16(values);
          const w = Tensor.fromBytes(new Uint8Array(bits.buffer), dtype, [rows, cols], {
            dtype,
            device: small,
          });
          // The reference reads the stored 16-bit values, decoded on the CPU.
          const half: Matrix = {
            t: w,
            storage: dtype === 'bf16' ? bf16ToF32(bits) : f16ToF32(bits),
          };
          await checkMatmul(
            random([8, cols]),
            viewOf(half, (t) => t.transpose()),
          );
          const ids = [0, 1, 2047, 2048, 2049, rows - 1, rows + 5, -3, 3001];
          const idTensor = tensor(Int32Array.from(ids), [ids.length], 'i32', small);
          const calls = launches(small, () => embedding(w, idTensor));
          expect(calls.length).toBeGreaterThan(1);
          expect(await data(embedding(w, idTensor))).toBeAllclose(naiveEmbedding(half, ids), {
            rtol: 0,
            atol: 0,
          });
        }
      });
    },
  );

  it('chunks of rows that do not divide the alignment start aligned: 1000-byte rows, 1024 per chunk', async () => {
    await scope(async () => {
      const table = random([3000, 250]);
      const ids = Int32Array.from({ length: 100 }, (_, i) => i * 30);
      let y: Tensor | undefined;
      const calls = launches(small, () => {
        y = embedding(table.t, tensor(ids, [ids.length], 'i32', small));
      });
      // 1048 rows would fit, but 1048 000 bytes is not a multiple of 256: 1024 rows (a multiple of
      // 256 / gcd(1000, 256) = 32) keep every chunk starting on a row, with no slack bound before it.
      expect(calls.map((c) => c.offsets[0])).toEqual([0, 1024000, 2048000]);
      expect(await data(y as Tensor)).toBeAllclose(naiveEmbedding(table, ids), {
        rtol: 0,
        atol: 0,
      });
    });
  });

  it('embedding of a strided view of a big table (W[5:, 3:253], offsets off the alignment)', async () => {
    await scope(async () => {
      const table = viewOf(random([3000, 256]), (t) => t.narrow(0, 5, 2995).narrow(1, 3, 250));
      const ids = Int32Array.from({ length: 200 }, (_, i) => (i * 97) % 2995);
      const y = embedding(table.t, tensor(ids, [ids.length], 'i32', small));
      expect(await data(y)).toBeAllclose(naiveEmbedding(table, ids), { rtol: 0, atol: 0 });
    });
  });

  it('data() and copy() of a big tensor are buffer copies: no binding limit', async () => {
    await scope(async () => {
      const w = random([3000, 256]);
      expect(await data(w.t)).toBeAllclose(w.storage, { rtol: 0, atol: 0 });
      const rows = viewOf(w, (t) => t.narrow(0, 1000, 1500));
      expect(await data(copy(rows.t))).toBeAllclose(valuesOfMatrix(rows), { rtol: 0, atol: 0 });
    });
  });

  it('other ops given a tensor over the limit fail naming the op, the tensor and what to change', async () => {
    const x = tensor(new Float32Array(3000 * 256), [3000, 256], 'f32', small); // an upload: no kernel
    const e = thrown(() => scope(() => exp(x)));
    x.dispose();
    expect(e).toBeInstanceOf(DeviceLimitError);
    const err = e as DeviceLimitError;
    expect(err.summary).toMatch(
      /^A tensor f32\[3000, 256\] \(in \w*exp\w*\) needs a binding of \d+ bytes \(\d\.\d MiB\), over the adapter's maxStorageBufferBindingSize of 1048576 bytes/,
    );
    expect(err.hint).toContain('only matmul and embedding read a tensor over this limit');
  });

  it('a single row over the limit: matmul and embedding say which tensor and that one row is too big', () => {
    scope(() => {
      // Rows of 1.14 MiB. (A single row of A alone would be cut along K instead, and fit.)
      const w = tensor(new Float32Array(2 * 300000), [2, 300000], 'f32', small);
      const x = tensor(new Float32Array(2 * 300000), [2, 300000], 'f32', small);
      for (const [op, run] of [
        ['matmul', () => matmul(x, w.transpose())],
        ['embedding', () => embedding(w, tensor(new Int32Array([1]), [1], 'i32', small))],
      ] as const) {
        const e = thrown(run);
        expect(e, op).toBeInstanceOf(DeviceLimitError);
        const err = e as DeviceLimitError;
        expect(err.limit).toBe('maxStorageBufferBindingSize');
        expect(err.bytes).toBe(300000 * 4);
        expect(err.tensor).toMatchObject({ dtype: 'f32', op });
        expect(err.summary).toContain(`(in ${op}) needs a binding of 1200000 bytes (1.1 MiB)`);
        expect(err.summary).toContain('one index of that axis alone is over the limit');
      }
    });
  });

  it('Device.run binds a range checked by its own bytes, and refuses a range WebGPU would reject', async () => {
    const values = Float32Array.from({ length: 3000 * 256 }, (_, i) => i);
    const x = tensor(values, [3000, 256], 'f32', small); // 3 MiB: over the limit
    const y = zeros([64], 'f32', small);
    const call = (offset: number, size: number) => () =>
      small.run({
        name: 'copy_range',
        source: `@group(0) @binding(0) var<storage, read> p: array<u32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>) { y[g.x] = x[p[0] + g.x]; }`,
        params: [3],
        buffers: [{ buffer: x.buffer, offset, size }, y.buffer],
        workgroups: [1, 1, 1],
      });
    call(256 * 1024, 1024)(); // a 1 KiB range of a 3 MiB buffer: within the limit
    // Element 0 of the range is element 65536 of x; the kernel reads from p[0] = 3 on.
    expect(await data(y)).toBeAllclose(values.subarray(65539, 65539 + 64), { rtol: 0, atol: 0 });
    expect(thrown(call(100, 1024))).toMatchObject({
      message: expect.stringMatching(
        /^copy_range: bound range \[100, 1124\) of a \d+-byte buffer must start at a multiple of \d+ bytes/,
      ),
    });
    const over = thrown(call(0, 2 * MiB));
    expect(over).toBeInstanceOf(DeviceLimitError);
    expect((over as DeviceLimitError).bytes).toBe(2 * MiB);
    expect((over as DeviceLimitError).tensor).toMatchObject({
      shape: [3000, 256],
      op: 'copy_range',
    });
    x.dispose();
    y.dispose();
  });

  it('a tensor over maxBufferSize is refused, saying to keep weights in 16 bits', () => {
    const e = thrown(() => zeros([1024, 2049], 'f32', small));
    expect(e).toBeInstanceOf(DeviceLimitError);
    const err = e as DeviceLimitError;
    expect(err.limit).toBe('maxBufferSize');
    expect(err.summary).toContain(
      'A tensor f32[1024, 2049] needs a buffer of 8392704 bytes (8.0 MiB), over the adapter',
    );
    expect(err.hint).toContain('16-bit dtype');
  });
});

describe('lavapipe: 128 MiB bindings, a 49152×1024 f32 table (192 MiB)', () => {
  const [V, D] = [49152, 1024];
  let device: Device;
  /** Left undefined where the adapter binds 192 MiB whole (SwiftShader, most GPUs): nothing to split. */
  let table: Matrix | undefined;
  const skipReason = 'this adapter binds 192 MiB whole (only a 128 MiB binding limit splits it)';
  beforeAll(async () => {
    device = await testDevice();
    if (device.bufferLimits.maxStorageBufferBindingSize >= V * D * 4) return;
    const storage = randomArray(V * D, 11);
    table = { t: tensor(storage, [V, D], 'f32', device), storage };
  });
  afterAll(() => table?.t.dispose());

  it('embedding gathers first, last, chunk-boundary and random rows', async (ctx) => {
    if (!table) return ctx.skip(skipReason);
    const big = table;
    const next = rng(12);
    // 128 MiB holds 32768 rows of 4 KiB, less the alignment slack: ids all around that.
    const near = Array.from({ length: 9 }, (_, i) => 32763 + i);
    const ids = Int32Array.from([
      0,
      1,
      V - 1,
      ...near,
      ...Array.from({ length: 300 }, () => Math.floor(next() * V)),
    ]);
    await scope(async () => {
      const y = embedding(big.t, tensor(ids, [ids.length], 'i32', device));
      expect(await data(y)).toBeAllclose(naiveEmbedding(big, ids), { rtol: 0, atol: 0 });
    });
  });

  it('x [8, 1024] · Wᵀ matches the naive loop', async (ctx) => {
    if (!table) return ctx.skip(skipReason);
    const w = table.storage;
    const big = table.t;
    await scope(async () => {
      const xv = randomArray(8 * D, 13);
      const x = tensor(xv, [8, D], 'f32', device);
      // Wᵀ's row-major values are W's read transposed: the reference reads W directly.
      const want = new Float64Array(8 * V);
      for (let m = 0; m < 8; m++)
        for (let n = 0; n < V; n++) {
          let s = 0;
          for (let k = 0; k < D; k++) s += (xv[m * D + k] as number) * (w[n * D + k] as number);
          want[m * V + n] = s;
        }
      expect(await data(matmul(x, big.transpose()))).toBeAllclose(want, TOL);
    });
  });

  it('any other op on it fails with the DeviceLimitError naming the op', (ctx) => {
    if (!table) return ctx.skip(skipReason);
    const big = table.t;
    const e = thrown(() => scope(() => exp(big)));
    expect(e).toBeInstanceOf(DeviceLimitError);
    expect((e as DeviceLimitError).message).toMatch(
      /\(in \w*exp\w*\) needs a binding of 201326592 bytes/,
    );
    expect((e as DeviceLimitError).hint).toContain('only matmul and embedding');
  });
});
