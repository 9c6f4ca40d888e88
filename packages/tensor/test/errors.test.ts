import { beforeAll, describe, expect, it } from 'vitest';
import { add, data, getDevice, scope, tensor, WgslCompileError } from '../src/index.js';
import { testDevice } from './helpers.js';

describe('errors say what was expected and what was found', () => {
  beforeAll(testDevice);

  it('broadcast mismatches name both shapes at call time', () => {
    scope(() => {
      const a = tensor(new Float32Array(6), [2, 3]);
      const b = tensor(new Float32Array(8), [2, 4]);
      expect(() => add(a, b)).toThrow('add: shapes [2, 3] and [2, 4] do not broadcast');
    });
  });

  it('use after dispose throws and names the tensor', async () => {
    const a = tensor([1, 2], [2]);
    a.dispose();
    expect(() => add(a, 1)).toThrow(/add: tensor f32\[2\] was already disposed/);
    await expect(data(a)).rejects.toThrow(/data: tensor f32\[2\] was already disposed/);
  });

  it('data that does not fill the shape is rejected', () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(
      '3 values do not fill shape [2, 2] (4 elements)',
    );
  });

  it('a WGSL compile error shows the generated source with line numbers', async () => {
    const device = await getDevice();
    const out = device.pool.acquire(16);
    device.run({
      name: 'broken_kernel',
      source:
        '@group(0) @binding(0) var<storage, read> p: array<u32>;\n@compute @workgroup_size(1)\nfn main() { let x = p[0] +; }',
      params: [0],
      buffers: [],
      workgroups: [1, 1, 1],
    });
    const err = await device.sync().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WgslCompileError);
    expect(String((err as Error).message)).toMatch(/broken_kernel/);
    expect(String((err as Error).message)).toMatch(/3 \| fn main\(\) \{ let x = p\[0\] \+; \}/);
    device.pool.release(out);
  });
});
