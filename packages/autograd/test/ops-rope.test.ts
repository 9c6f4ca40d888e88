import * as T from '@llm-streamline/tensor';
import { naiveRope } from '@llm-streamline/test-utils/reference';
import { beforeAll, describe, it } from 'vitest';
import * as A from '../src/index.js';
import { gradcheck } from './gradcheck.js';
import { testDevice } from './helpers.js';

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
        ([x]) => naiveRope(x as Float64Array, shape, inv, layout, 5),
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
        naiveRope(
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
