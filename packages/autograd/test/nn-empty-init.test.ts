import * as T from '@llm-streamline/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import * as A from '../src/index.js';
import { cpuMatmul, randomArray, read, testDevice } from './helpers.js';

/** Every layer kind that owns parameters, built with the given init. */
function layers(init: A.ParameterInit): A.Module[] {
  return [
    new A.Linear(4, 3, { init }),
    new A.Embedding(5, 4, { init }),
    new A.RMSNorm(4, 1e-6, { init }),
    new A.SwiGLU(4, 6, { bias: true, init }),
  ];
}

function shapes(modules: readonly A.Module[]): [string, readonly number[]][][] {
  return modules.map((m) => m.namedParameters().map(([name, v]) => [name, v.shape]));
}

describe("init: 'empty'", () => {
  let device: T.Device;
  beforeAll(async () => {
    device = await testDevice();
  });

  it('allocates every parameter at its shape and records no kernel', async () => {
    await device.sync();
    const empty = layers('empty');
    expect(device.batch.pending).toBe(0);
    const drawn = layers('default');
    // The default init draws (and fills) on the device: the check above can tell them apart.
    expect(device.batch.pending).toBeGreaterThan(0);
    expect(shapes(empty)).toEqual(shapes(drawn));
    for (const m of [...empty, ...drawn]) m.dispose();
  });

  it('leaves the seed sequence where the default init leaves it', async () => {
    A.manualSeed(3);
    new A.Linear(4, 3, { init: 'empty' }).dispose();
    const afterEmpty = new A.Linear(4, 3);
    A.manualSeed(3);
    new A.Linear(4, 3).dispose();
    const afterDefault = new A.Linear(4, 3);
    expect(await read(afterEmpty.weight.value)).toEqual(await read(afterDefault.weight.value));
    afterEmpty.dispose();
    afterDefault.dispose();
  });

  it('computes with the values loaded into it', async () => {
    const lin = new A.Linear(4, 3, { init: 'empty' });
    const ws = randomArray(12, 1);
    const bs = randomArray(3, 2);
    lin.loadStateDict(
      new Map([
        ['weight', T.tensor(ws, [3, 4])],
        ['bias', T.tensor(bs, [3])],
      ]),
    );
    const xs = randomArray(2 * 4, 3);
    const y = await T.scope(() => read(lin.forward(A.variable(T.tensor(xs, [2, 4]))).value));
    const wT = Array.from({ length: 12 }, (_, k) => ws[(k % 3) * 4 + Math.floor(k / 3)] as number); // [4, 3]
    const expected = cpuMatmul(xs, [2, 4], wT, [4, 3]).map((v, i) => v + (bs[i % 3] as number));
    expect(y).toBeAllclose(expected, { atol: 1e-6 });
    lin.dispose();
  });

  it('rejects an unknown init by name', () => {
    expect(() => new A.Linear(4, 3, { init: 'zeros' as A.ParameterInit })).toThrow(
      "parameter init must be 'default' or 'empty', got 'zeros'",
    );
  });
});
