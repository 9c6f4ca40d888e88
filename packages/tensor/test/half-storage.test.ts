/**
 * f16 / bf16 as storage dtypes: casts to and from them bit for bit as half-float.ts, uploads that
 * keep or convert 16-bit bytes, downloads, device bytes at 2 per element, and the error every
 * op other than matmul, embedding and cast gives them. The conversions run on the test device and
 * on one that reads f16 as packed u32 words (on lavapipe the first reads it natively).
 */
import { describe, expect, it } from 'vitest';
import {
  add,
  bf16ToF32,
  bucketSize,
  bytes as bytesOf,
  cast,
  cat,
  contiguous,
  type Device,
  data,
  embedding,
  f16ToF32,
  f32BitsToBf16Bits,
  f32BitsToF16Bits,
  type HalfDType,
  randNormal,
  scope,
  softmax,
  sum,
  Tensor,
  tensor,
  zeros,
} from '../src/index.js';
import { devicesForF16Reads, randomArray, rng, testDevice } from './helpers.js';

const deviceFor = devicesForF16Reads();

const HALF_NARROW: Record<HalfDType, (bits: number) => number> = {
  f16: f32BitsToF16Bits,
  bf16: f32BitsToBf16Bits,
};
const HALF_WIDEN: Record<HalfDType, (bits: Uint16Array) => Float32Array> = {
  f16: f16ToF32,
  bf16: bf16ToF32,
};

/** The 16-bit words a tensor's buffer holds (its raw storage, not decoded). */
async function storedWords(t: Tensor): Promise<Uint16Array> {
  return new Uint16Array(await t.device.read(t.buffer, 0, t.size * 2));
}

/** A tensor holding exactly these 16-bit words (uploaded as they are). */
function fromWords(words: Uint16Array, dtype: HalfDType, device: Device): Tensor {
  return Tensor.fromBytes(new Uint8Array(words.buffer), dtype, [words.length], { dtype, device });
}

/** f32 bit patterns that exercise rounding: specials, subnormals, ties, overflow, and random bits. */
function edgeF32Bits(): Uint32Array {
  const bits = [
    0x00000000,
    0x80000000,
    0x7f800000,
    0xff800000, // ±0, ±inf
    0x7fc00000,
    0xffc00000,
    0x7f800001,
    0x7fa00000,
    0xff800001, // NaNs, with low payloads too
    0x00000001,
    0x807fffff,
    0x00400000, // f32 subnormals (→ ±0 in f16, kept in bf16)
    0x33800000,
    0x33000000,
    0x33000001,
    0x33c00000,
    0x387fc000,
    0x38800000, // f16 subnormal range
    0x3f801000,
    0x3f803000,
    0x3f801001,
    0x3f802fff, // f16 ties to even, up and down; near ties
    0x3f808000,
    0x3f818000,
    0x3f807fff,
    0x3f808001, // bf16 ties to even; near ties
    0x477fe000,
    0x477fefff,
    0x477ff000,
    0x7f7fffff,
    0xff7fffff,
    0x7f7f8000, // f16 / bf16 overflow
  ];
  const next = rng(7);
  for (let i = 0; i < 4096; i++) bits.push(Math.floor(next() * 2 ** 32) >>> 0);
  return Uint32Array.from(bits);
}

const isNanF16 = (w: number) => (w & 0x7c00) === 0x7c00 && (w & 0x3ff) !== 0;
const isNanBf16 = (w: number) => (w & 0x7f80) === 0x7f80 && (w & 0x7f) !== 0;
const IS_NAN: Record<HalfDType, (w: number) => boolean> = { f16: isNanF16, bf16: isNanBf16 };
const ALL_WORDS = Uint16Array.from({ length: 65536 }, (_, i) => i);

describe.each(['default', 'packed'] as const)('cast with 16-bit dtypes (%s f16 reads)', (which) => {
  it.each(['f16', 'bf16'] as HalfDType[])(
    'f32 → %s rounds bit for bit as half-float.ts',
    async (dtype) => {
      await scope(async () => {
        const device = deviceFor(which);
        const bits = edgeF32Bits();
        const x = Tensor.fromBytes(new Uint8Array(bits.buffer), 'f32', [bits.length], { device });
        const y = cast(x, dtype);
        expect(y.dtype).toBe(dtype);
        const expected = Uint16Array.from(bits, HALF_NARROW[dtype]);
        expect(await storedWords(y)).toEqual(expected);
      });
    },
  );

  it.each(['f16', 'bf16'] as HalfDType[])(
    'every %s bit pattern widens to f32 exactly',
    async (dtype) => {
      await scope(async () => {
        const y = cast(fromWords(ALL_WORDS, dtype, deviceFor(which)), 'f32');
        // NaN == NaN here (toEqual), so NaN payloads need not survive; every other value is exact.
        expect(await data(y)).toEqual(HALF_WIDEN[dtype](ALL_WORDS));
      });
    },
  );

  it.each([
    ['f16', 'bf16'],
    ['bf16', 'f16'],
  ] as [HalfDType, HalfDType][])(
    'every %s bit pattern converts to %s as widening then rounding would',
    async (from, to) => {
      await scope(async () => {
        const y = cast(fromWords(ALL_WORDS, from, deviceFor(which)), to);
        const wide = new Uint32Array(HALF_WIDEN[from](ALL_WORDS).buffer);
        const expected = Uint16Array.from(wide, HALF_NARROW[to]);
        const got = await storedWords(y);
        for (let w = 0; w < 65536; w++) {
          // A NaN stays a NaN; its payload after a round trip through f32 is the adapter's.
          if (IS_NAN[from](w)) expect(IS_NAN[to](got[w] as number), `word ${w}`).toBe(true);
          else if (got[w] !== expected[w])
            expect(got[w], `${from} word 0x${w.toString(16)}`).toBe(expected[w]);
        }
      });
    },
  );

  it('a strided 16-bit view copies to a dense tensor of its own dtype', async () => {
    await scope(async () => {
      const device = deviceFor(which);
      const values = randomArray(15, 3);
      const x = cast(tensor(values, [3, 5], 'f32', device), 'bf16');
      const view = x.transpose();
      const dense = contiguous(view);
      expect(dense.dtype).toBe('bf16');
      expect(dense.isContiguous).toBe(true);
      const rounded = await data(x);
      const transposed = [0, 1, 2, 3, 4].flatMap((j) => [0, 1, 2].map((i) => rounded[i * 5 + j]));
      expect([...(await data(dense))]).toEqual(transposed);
      // data() of the view packs it the same way; of a view at an odd offset, from mid-word.
      expect([...(await data(view))]).toEqual(transposed);
      expect([...(await data(x.narrow(1, 1, 3).narrow(0, 1, 1)))]).toEqual([
        ...rounded.subarray(6, 9),
      ]);
    });
  });
});

describe('16-bit uploads, creation and device bytes', () => {
  it('fromBytes keeps 16-bit bytes as they are, or converts them on the GPU', async () => {
    await scope(async () => {
      const words = Uint16Array.from(edgeF32Bits(), f32BitsToBf16Bits).subarray(0, 1001);
      const bytes = new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
      const kept = Tensor.fromBytes(bytes, 'bf16', [words.length], { dtype: 'bf16' });
      expect(kept.dtype).toBe('bf16');
      expect(await storedWords(kept)).toEqual(words);
      // bytes() gives them back as stored, also for a view from mid-word (element 3 onwards).
      expect(await bytesOf(kept)).toEqual(bytes);
      expect(await bytesOf(kept.narrow(0, 3, 900))).toEqual(bytes.subarray(6, 6 + 1800));
      // bf16 bytes stored as f16: rounded as widening then narrowing on the CPU would.
      const asF16 = Tensor.fromBytes(bytes, 'bf16', [words.length], { dtype: 'f16' });
      const wide = new Uint32Array(bf16ToF32(words).buffer);
      const got = await storedWords(asF16);
      words.forEach((w, i) => {
        if (!isNanBf16(w)) expect(got[i], `word ${i}`).toBe(f32BitsToF16Bits(wide[i] as number));
      });
      // Default: widened to f32 (today's behaviour).
      const widened = Tensor.fromBytes(bytes, 'bf16', [words.length]);
      expect(widened.dtype).toBe('f32');
      expect(await data(widened)).toEqual(bf16ToF32(words));
      expect(() => Tensor.fromBytes(new Uint8Array(8), 'i32', [2], { dtype: 'f32' })).toThrow(
        /cannot store i32 bytes as f32/,
      );
    });
  });

  it('creation ops make 16-bit tensors by rounding their f32 values', async () => {
    await scope(async () => {
      expect(await data(zeros([5], 'bf16'))).toEqual(new Float32Array(5));
      const values = [1 / 3, -2.5, 65519, 1e-7];
      const expected = HALF_WIDEN.f16(
        Uint16Array.from(new Uint32Array(Float32Array.from(values).buffer), f32BitsToF16Bits),
      );
      expect(await data(tensor(values, [4], 'f16'))).toEqual(expected);
      const normal = randNormal([64], 0, 1, { seed: 3, dtype: 'bf16' });
      const wide = randNormal([64], 0, 1, { seed: 3 });
      expect(normal.dtype).toBe('bf16');
      expect(await data(normal)).toEqual(await data(cast(wide, 'bf16')));
    });
  });

  it('a bf16 tensor takes 2 bytes per element on the device (padded to 4)', async () => {
    const device = await testDevice();
    await device.sync();
    const before = device.memoryStats().bytesLive;
    const weight = Tensor.empty(device, [1000, 1000], 'bf16');
    const odd = Tensor.empty(device, [4099], 'bf16');
    expect(weight.dtype).toBe('bf16');
    const grown = device.memoryStats().bytesLive - before;
    expect(grown).toBe(bucketSize(2 * 1000 * 1000) + bucketSize(4100 * 2));
    expect(weight.buffer.size).toBeLessThan(2.1 * 1000 * 1000);
    expect(odd.buffer.size % 4).toBe(0);
    weight.dispose();
    odd.dispose();
    expect(device.memoryStats().bytesLive).toBe(before);
  });
});

describe('ops other than matmul, embedding and cast refuse 16-bit tensors', () => {
  it('with a TypeError naming the op, the argument, its dtype and the cast to do', () => {
    scope(() => {
      const w = zeros([2, 2], 'bf16');
      const h = zeros([2, 2], 'f16');
      const x = zeros([2, 2]);
      const storage = (op: string, arg: string, t: string) =>
        new RegExp(
          `^${op}: ${arg} must be f32 or i32 or u32, got ${t}\\[2, 2\\]; ${t} is a storage dtype: cast\\(x, 'f32'\\) first$`,
        );
      expect(() => add(x, w)).toThrow(TypeError);
      expect(() => add(x, w)).toThrow(storage('add', 'operand 1', 'bf16'));
      expect(() => add(h, 1)).toThrow(storage('add', 'operand 0', 'f16'));
      expect(() => sum(w)).toThrow(storage('sum', 'x', 'bf16'));
      expect(() => cat([x, h])).toThrow(storage('cat', 'tensor 1', 'f16'));
      expect(() => softmax(w)).toThrow(
        /^softmax: x must be f32, got bf16\[2, 2\]; bf16 is a storage dtype/,
      );
      expect(() => embedding(x, w)).toThrow(/^embedding: ids must be i32 or u32, got bf16\[2, 2\]/);
    });
  });
});
