import * as T from '@llm-streamline/tensor';
import { beforeAll, describe, it } from 'vitest';
import * as A from '../src/index.js';
import { gradcheck } from './gradcheck.js';
import { testDevice } from './helpers.js';

/** RoPE of x [..., T, Dh] naively: rotate each pair by (offset + t)·invFreq[k]. */
function cpuRope(
  x: Float64Array,
  shape: readonly number[],
  invFreq: Float32Array,
  layout: 'half' | 'interleaved',
  offset: number,
): Float64Array {
  const dh = shape[shape.length - 1] as number;
  const t = shape[shape.length - 2] as number;
  const half = dh / 2;
  const out = new Float64Array(x.length);
  for (let row = 0; row < x.length / dh; row++) {
    const pos = offset + (row % t);
    for (let k = 0; k < half; k++) {
      const [i, j] = layout === 'half' ? [k, k + half] : [2 * k, 2 * k + 1];
      // f32 angle, as the kernel and HF compute it.
      const angle = Math.fround(pos * (invFreq[k] as number));
      const [a, b] = [x[row * dh + i] as number, x[row * dh + j] as number];
      out[row * dh + i] = a * Math.cos(angle) - b * Math.sin(angle);
      out[row * dh + j] = b * Math.cos(angle) + a * Math.sin(angle);
    }
  }
  return out;
}

describe('rope gradients', () => {
  beforeAll(testDevice);

  for (const layout of ['half', 'interleaved'] as const) {
    it(`${layout} layout, [B, H, T, Dh] with an offset`, async () => {
      const shape = [1, 2, 3, 8];
      const inv = T.ropeInvFreq(8, 10000);
      await gradcheck(
        ([x]) => {
          const freq = T.tensor(inv, [4]);
          return A.rope(x as A.Variable, freq, { layout, offset: 5 });
        },
        ([x]) => cpuRope(x as Float64Array, shape, inv, layout, 5),
        [{ shape }],
        { label: layout },
      );
    });
  }

  it('inverse rope', async () => {
    const inv = T.ropeInvFreq(4, 100);
    await gradcheck(
      ([x]) => A.rope(x as A.Variable, T.tensor(inv, [2]), { layout: 'half', inverse: true }),
      ([x]) =>
        cpuRope(
          x as Float64Array,
          [3, 4],
          inv.map((f) => -f),
          'half',
          0,
        ),
      [{ shape: [3, 4] }],
    );
  });
});
