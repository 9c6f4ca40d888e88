/**
 * llama2.c's random generator (xorshift64*, `random_u32` / `random_f32` in run.c), reproduced
 * bit for bit with BigInt so that seeded sampling gives exactly the reference's output.
 */
export class Xorshift64Star {
  private state: bigint;

  constructor(seed: number | bigint) {
    this.state = BigInt.asUintN(64, BigInt(seed));
    if (this.state === 0n) throw new RangeError('Xorshift64Star: the seed must be non-zero');
  }

  nextU32(): number {
    let s = this.state;
    s ^= s >> 12n;
    s = BigInt.asUintN(64, s ^ (s << 25n));
    s ^= s >> 27n;
    this.state = s;
    return Number(BigInt.asUintN(64, s * 0x2545f4914f6cdd1dn) >> 32n);
  }

  /** A float32 in [0, 1) from the top 24 bits, as run.c's `random_f32`. */
  nextFloat(): number {
    return Math.fround((this.nextU32() >>> 8) / 16777216);
  }
}
