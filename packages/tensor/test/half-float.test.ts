import { describe, expect, it } from 'vitest';
import { bitsToF32, f32Bits } from '../src/kernels/float-bits.js';
import {
  bf16ToF32,
  f16BitsToNumber,
  f16ToF32,
  f32ToBf16,
  f32ToF16,
} from '../src/tensor/half-float.js';

/**
 * Naive reference for f32 → f16: among all 65536 f16 values, the nearest
 * (ties → even mantissa), with overflow to inf at ≥ 65520 as IEEE specifies.
 */
const finiteF16 = Array.from({ length: 0x7c00 }, (_, h) => f16BitsToNumber(h));
function referenceF32ToF16(x: number): number {
  if (Number.isNaN(x)) return 0x7e00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  // Binary search the sorted non-negative f16 values.
  let lo = 0;
  let hi = finiteF16.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((finiteF16[mid] as number) <= a) lo = mid;
    else hi = mid;
  }
  const dLo = a - (finiteF16[lo] as number);
  const dHi = (finiteF16[hi] as number) - a;
  const h = dLo < dHi ? lo : dHi < dLo ? hi : lo % 2 === 0 ? lo : hi;
  return sign | h;
}

/** Naive reference for f32 → bf16: nearest of the two truncation neighbours, ties to even. */
function referenceF32ToBf16(x: number): number {
  const bits = f32Bits(x);
  if (Number.isNaN(x)) return -1; // checked separately
  const down = bits >>> 16;
  const up = down + 1;
  const vDown = bitsToF32(down << 16);
  // Rounding treats "inf" as the next step 2^128 beyond the largest finite value.
  const upBits = (up << 16) >>> 0;
  const vUp = (upBits & 0x7fffffff) === 0x7f800000 ? Math.sign(x) * 2 ** 128 : bitsToF32(upBits);
  const dDown = Math.abs(x - vDown);
  const dUp = Math.abs(vUp - x);
  if (!Number.isFinite(x)) return down;
  if (dDown < dUp) return down;
  if (dUp < dDown) return up & 0xffff;
  return down % 2 === 0 ? down : up & 0xffff;
}

function roundTripF16(values: number[]): number[] {
  return [...f32ToF16(Float32Array.from(values))];
}

describe('f16', () => {
  it('decodes known bit patterns', () => {
    const bits = Uint16Array.from([
      0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x7c00, 0xfc00, 0x3555,
    ]);
    const out = f16ToF32(bits);
    expect(Object.is(out[1], -0)).toBe(true);
    expect([...out]).toEqual([
      0,
      -0,
      1,
      -2,
      65504,
      2 ** -24,
      1023 * 2 ** -24,
      2 ** -14,
      Infinity,
      -Infinity,
      Math.fround(0.333251953125),
    ]);
    expect(Number.isNaN(f16ToF32(Uint16Array.of(0x7e00))[0])).toBe(true);
  });

  it('encodes known values with round-to-nearest-even', () => {
    expect(
      roundTripF16([0, -0, 1, -2, 65504, 65519, 65520, 1e9, -1e9, Infinity, -Infinity]),
    ).toEqual([
      0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x7bff, 0x7c00, 0x7c00, 0xfc00, 0x7c00, 0xfc00,
    ]);
    // 1 + 2^-11 is exactly halfway between 1 and 1 + 2^-10: ties to even (1).
    // 1 + 3·2^-11 is halfway between 1+2^-10 (odd) and 1+2^-9 (even): rounds up.
    expect(roundTripF16([1 + 2 ** -11, 1 + 3 * 2 ** -11])).toEqual([0x3c00, 0x3c02]);
    // Subnormals: smallest, half of smallest (tie → 0), just above half (→ smallest), 1.5×smallest (tie → 2).
    expect(
      roundTripF16([2 ** -24, 2 ** -25, 2 ** -25 * 1.0001, 1.5 * 2 ** -24, 2.5 * 2 ** -24]),
    ).toEqual([0x0001, 0x0000, 0x0001, 0x0002, 0x0002]);
    // Largest subnormal rounding up into the smallest normal.
    expect(roundTripF16([(1023.5 + 0.25) * 2 ** -24])).toEqual([0x0400]);
    const nan = roundTripF16([Number.NaN])[0] as number;
    expect(nan & 0x7c00).toBe(0x7c00);
    expect(nan & 0x3ff).not.toBe(0);
  });

  it('round-trips every f16 value exactly', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const back = f32ToF16(f16ToF32(all));
    for (let h = 0; h < 65536; h++) {
      const isNan = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNan) expect(back[h] & 0x7c00).toBe(0x7c00);
      else if (back[h] !== h)
        expect.fail(`f16 0x${h.toString(16)} came back as 0x${back[h].toString(16)}`);
    }
  });

  it('matches a naive nearest-value reference on many random floats', () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const values: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const magnitude = 2 ** (Math.floor(random() * 46) - 30); // spans subnormal..overflow
      values.push(Math.fround((random() * 2 - 1) * magnitude));
    }
    const got = roundTripF16(values);
    values.forEach((v, i) => {
      if (got[i] !== referenceF32ToF16(v))
        expect.fail(
          `${v}: got 0x${got[i].toString(16)}, want 0x${referenceF32ToF16(v).toString(16)}`,
        );
    });
  });
});

describe('bf16', () => {
  it('decodes by placing bits in the upper half', () => {
    expect([...bf16ToF32(Uint16Array.from([0x3f80, 0xc000, 0x7f80, 0xff80, 0x0001]))]).toEqual([
      1,
      -2,
      Infinity,
      -Infinity,
      bitsToF32(0x00010000),
    ]);
  });

  it('encodes with round-to-nearest-even and keeps NaN a NaN', () => {
    const values = [
      1,
      -2,
      1 + 2 ** -8,
      1 + 3 * 2 ** -8,
      1 + 2 ** -8 + 2 ** -20,
      3.4028234663852886e38,
      Infinity,
      -Infinity,
      1e-40,
    ];
    const got = [...f32ToBf16(Float32Array.from(values))];
    expect(got).toEqual(values.map((v) => referenceF32ToBf16(Math.fround(v))));
    expect(got.slice(0, 5)).toEqual([0x3f80, 0xc000, 0x3f80, 0x3f82, 0x3f81]);
    expect(got[5]).toBe(0x7f80); // max float rounds up to inf, as PyTorch does
    const nanBits = new Float32Array(new Uint32Array([0x7f800001]).buffer);
    const nan = f32ToBf16(nanBits)[0] as number;
    expect(nan & 0x7f80).toBe(0x7f80);
    expect(nan & 0x7f).not.toBe(0);
  });

  it('matches the naive reference on random floats', () => {
    const bits = new Uint32Array(20000);
    let seed = 99;
    for (let i = 0; i < bits.length; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      bits[i] = seed;
    }
    const values = new Float32Array(bits.buffer);
    const got = f32ToBf16(values);
    values.forEach((v, i) => {
      if (Number.isNaN(v)) return;
      if (got[i] !== referenceF32ToBf16(v))
        expect.fail(`bits 0x${bits[i].toString(16)}: got 0x${got[i].toString(16)}`);
    });
  });
});
