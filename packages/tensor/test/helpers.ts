/**
 * Shared test helpers: seeded inputs, a helper to upload random tensors, readers of strided views
 * and the kernel-variant reset. Closeness is `expect(x).toBeAllclose(y)` (test-utils). The naive
 * reference of each op lives in the test file of that op, next to the assertions that use it, or
 * in test-utils/reference when autograd's gradient checks use it too (attention, RoPE).
 */
import { randomArray } from '@llm-streamline/test-utils';

export { randomArray, rng } from '@llm-streamline/test-utils';
export type { AttentionCase } from '@llm-streamline/test-utils/reference';

import { afterAll, afterEach, beforeAll } from 'vitest';
import { Device, getDevice, type KernelVariant, type Tensor, tensor } from '../src/index.js';

/** Uploads a seeded random f32 tensor and returns it with its CPU copy. */
export function randomTensor(
  shape: readonly number[],
  seed: number,
  lo = -1,
  hi = 1,
): { t: Tensor; x: Float32Array } {
  const x = randomArray(
    shape.reduce((a, b) => a * b, 1),
    seed,
    lo,
    hi,
  );
  return { t: tensor(x, shape), x };
}

/** The test device (created once per test file). */
export function testDevice(): Promise<Device> {
  return getDevice();
}

/**
 * How a kernel reads f16: `default` as the device chooses (WGSL f16 where the adapter has
 * `shader-f16`), `packed` always unpacked from u32 words.
 */
export type F16Reads = 'default' | 'packed';

/**
 * For files that run each 16-bit case both ways: the test device (native f16 reads where the
 * adapter has `shader-f16`, packed otherwise) and a second device that always reads packed, so
 * that both paths run on adapters with the feature. Registers its own setup and teardown; call
 * the returned function inside tests.
 */
export function devicesForF16Reads(): (reads: F16Reads) => Device {
  let main: Device;
  let packed: Device;
  beforeAll(async () => {
    main = await testDevice();
    packed = await Device.create({ nativeF16: false });
  });
  afterAll(() => packed?.destroy());
  return (reads) => (reads === 'packed' ? packed : main);
}

/** What `fn` threw, or a failure when it threw nothing. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, got none');
}

/**
 * For files whose tests force a kernel variant (`device.kernelVariant = …`): puts the device's
 * default variant back after each test, so that no test runs on the previous one's choice.
 */
export function restoreKernelVariantAfterEach(): void {
  let device: Device;
  let variant: KernelVariant;
  beforeAll(async () => {
    device = await getDevice();
    variant = device.kernelVariant;
  });
  afterEach(() => {
    device.kernelVariant = variant;
  });
}

/** Reads a strided view on the CPU: the value at multi-index `idx` of a layout over `data`. */
export function atIndex(
  data: ArrayLike<number>,
  strides: readonly number[],
  offset: number,
  idx: readonly number[],
): number {
  let o = offset;
  for (let i = 0; i < idx.length; i++) o += (idx[i] as number) * (strides[i] as number);
  return data[o] as number;
}

/** Every multi-index of a shape in row-major order. */
export function* indices(shape: readonly number[]): Generator<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  for (let flat = 0; flat < n; flat++) {
    const idx = new Array<number>(shape.length);
    let rem = flat;
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rem % (shape[d] as number);
      rem = Math.floor(rem / (shape[d] as number));
    }
    yield idx;
  }
}

/** The values of a view of `data` in row-major order of the view's shape. */
export function valuesOf(data: ArrayLike<number>, view: Tensor): number[] {
  return [...indices(view.shape)].map((idx) => atIndex(data, view.strides, view.offset, idx));
}

/** A view's logical values with its shape: what the naive references take. */
export interface Nd {
  shape: readonly number[];
  data: readonly number[];
}

/** {@link valuesOf} with the view's shape. */
export function ndOf(data: ArrayLike<number>, view: Tensor): Nd {
  return { shape: [...view.shape], data: valuesOf(data, view) };
}
