import * as T from '@llm-streamline/tensor';

/**
 * Seeded parameter initialisers. Every initialiser takes an explicit seed, so a model built twice
 * with the same seeds has the same weights on any device (the tensor package's generators hash
 * (seed, index), independent of how the GPU splits the work).
 *
 * Modules that are not given a seed draw one from {@link nextSeed}, a counter reset by
 * {@link manualSeed}: like `torch.manual_seed`, one call at start-up makes a whole model
 * reproducible while giving each layer different weights.
 */

let seedCounter = 0x5eed;

/** Restarts the default seed sequence (the seeds modules use when none is given). */
export function manualSeed(seed: number): void {
  seedCounter = seed >>> 0;
}

/** The next seed of the default sequence. */
export function nextSeed(): number {
  // A Weyl step (golden-ratio increment) spreads consecutive seeds over all 32 bits.
  seedCounter = (seedCounter + 0x9e3779b9) >>> 0;
  return seedCounter;
}

/**
 * How a module fills its parameters when built: `'default'` is its own initialisation (random for
 * Linear and Embedding, ones for RMSNorm), reproducible from seeds; `'empty'` gives placeholders
 * that hold no memory, for a model whose every parameter is about to be loaded from a checkpoint.
 * Drawing values only to overwrite them costs time, and allocating f32 buffers only to swap them
 * for the checkpoint's would cost memory: a 16-bit model would briefly need its f32 size on top.
 */
export type ParameterInit = 'default' | 'empty';

/**
 * The parameter tensor of `shape`: `draw()` for the `'default'` init; for `'empty'`, one zero
 * broadcast to `shape` (a stride-0 view of a single element: it reads as zeros, holds 4 bytes and
 * runs no kernel). A loader replaces it, with any dtype; one rule shared by every module.
 */
export function parameterTensor(
  shape: readonly number[],
  init: ParameterInit,
  draw: () => T.Tensor,
  device?: T.Device,
): T.Tensor {
  if (init === 'empty') {
    // Uploaded, not filled by a kernel: building a model for loading records no dispatch.
    const one = T.tensor(
      new Float32Array(1),
      shape.map(() => 1),
      'f32',
      device,
    );
    const placeholder = one.expand([...shape]);
    one.dispose();
    return placeholder;
  }
  if (init !== 'default')
    throw new TypeError(`parameter init must be 'default' or 'empty', got '${String(init)}'`);
  return draw();
}

/** Where and how to draw: the seed, and the device (default: the current one). */
export interface InitOptions {
  seed: number;
  device?: T.Device;
}

/** Values from N(0, std²). */
export function normal(
  shape: readonly number[],
  std: number,
  { seed, device }: InitOptions,
): T.Tensor {
  return T.randNormal(shape, 0, std, { seed, device });
}

/** Values uniform in [low, high). */
export function uniform(
  shape: readonly number[],
  low: number,
  high: number,
  { seed, device }: InitOptions,
): T.Tensor {
  return T.randUniform(shape, low, high, { seed, device });
}

/**
 * PyTorch's default for `nn.Linear` weights: `kaiming_uniform_(w, a=√5)`, which works out to
 * U(−1/√fanIn, 1/√fanIn) (gain √(2/(1+a²)) = √(1/3), bound = gain·√(3/fanIn)). `fanIn` is the last
 * dim of a [out, in] weight. Linear biases use the same bound.
 */
export function kaimingUniform(
  shape: readonly number[],
  options: InitOptions,
  fanIn = shape[shape.length - 1] ?? 1,
): T.Tensor {
  if (!(fanIn > 0))
    throw new RangeError(
      `kaimingUniform: fanIn must be positive, got ${fanIn} for shape [${shape.join(', ')}]`,
    );
  const bound = 1 / Math.sqrt(fanIn);
  return uniform(shape, -bound, bound, options);
}

/** All zeros (biases of layers that start as the identity, optimiser state). */
export function zeros(shape: readonly number[], device?: T.Device): T.Tensor {
  return T.zeros(shape, 'f32', device);
}

/** All ones (norm weights). */
export function ones(shape: readonly number[], device?: T.Device): T.Tensor {
  return T.ones(shape, 'f32', device);
}
