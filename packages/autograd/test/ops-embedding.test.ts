import * as T from '@llm-streamline/tensor';
import { beforeAll, describe, it } from 'vitest';
import * as A from '../src/index.js';
import { gradcheck } from './gradcheck.js';
import { testDevice } from './helpers.js';

describe('embedding gradient', () => {
  beforeAll(testDevice);

  it('rows read several times sum their gradients; unread rows get zero', async () => {
    const ids = [3, 0, 3, 1, 3, 0]; // row 2 and 4 never read, row 3 three times
    const dim = 4;
    await gradcheck(
      ([w]) => A.embedding(w as A.Variable, T.tensor(Int32Array.from(ids), [2, 3])),
      ([w]) =>
        Float64Array.from(
          { length: ids.length * dim },
          (_, i) =>
            (w as Float64Array)[(ids[Math.floor(i / dim)] as number) * dim + (i % dim)] as number,
        ),
      [{ shape: [5, dim] }],
    );
  });
});
