/**
 * How each library runs each kind of benchmark case. A library returns `undefined` for an op it
 * does not have (yet): the table shows that cell as "pending".
 */
import { seededRandom } from '../src/random/seeded-random.js';
import type { Runner } from './timing.js';

/** The operations the benchmark knows, with the shapes of their inputs. */
export type Op =
  | { kind: 'matmul'; a: number[]; b: number[] }
  | { kind: 'softmax'; x: number[] }
  | { kind: 'add'; x: number[] }
  /** q, k, v all [B, H, T, D], causal. */
  | { kind: 'attention'; qkv: number[] }
  /** x · Wᵀ as a linear layer runs it, with W [out, in] stored as `weight` (bf16: ours only). */
  | { kind: 'linear'; x: number[]; w: number[]; weight: 'f32' | 'bf16' };

export interface Library {
  name: string;
  /** Prepares inputs (uploaded once, outside the timing) and returns the timed runner, or undefined if unsupported. */
  prepare(op: Op): Runner | undefined;
  /** Frees the inputs of the last prepared case. */
  release(): void;
}

/** Reproducible inputs in [-0.5, 0.5), the same for every library. */
export function randomData(n: number, seed: number): Float32Array {
  const next = seededRandom(seed);
  return Float32Array.from({ length: n }, () => next() - 0.5);
}

const sizeOf = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
const data = (shape: readonly number[], seed: number) => randomData(sizeOf(shape), seed);

/** Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above. */
function causalMask(t: number): Float32Array {
  const m = new Float32Array(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) m[i * t + j] = -1e9;
  return m;
}

// ---------------------------------------------------------------------------------------------
// Ours

export async function ours(): Promise<Library & { describe(): string }> {
  const lib = await import('../src/index.js');
  const device = await lib.getDevice();
  // Optional ops are looked up by name so the bench runs while they are still being written.
  const optional = lib as unknown as Record<string, ((...args: unknown[]) => unknown) | undefined>;
  let inputs: { dispose(): void }[] = [];
  const up = (shape: number[], seed: number) => {
    const t = lib.tensor(data(shape, seed), shape);
    inputs.push(t);
    return t;
  };
  const runner = (run: () => unknown): Runner => ({
    run,
    sync: () => device.sync(),
    dispose: (out) => (out as { dispose(): void }).dispose(),
  });
  return {
    name: 'ours',
    describe: () =>
      `${device.adapter.description || device.adapter.device} (${device.kernelVariant} kernels, via ${device.source})`,
    prepare(op) {
      switch (op.kind) {
        case 'matmul': {
          const a = up(op.a, 1);
          const b = up(op.b, 2);
          return runner(() => lib.matmul(a, b));
        }
        case 'softmax': {
          const softmax = optional.softmax;
          if (!softmax) return undefined;
          const x = up(op.x, 3);
          return runner(() => softmax(x, -1));
        }
        case 'add': {
          const a = up(op.x, 4);
          const b = up(op.x, 5);
          return runner(() => lib.add(a, b));
        }
        case 'attention': {
          const attention = optional.attention;
          if (!attention) return undefined;
          const [q, k, v] = [up(op.qkv, 6), up(op.qkv, 7), up(op.qkv, 8)];
          return runner(() => attention(q, k, v, { causal: true }));
        }
        case 'linear': {
          const x = up(op.x, 9);
          const wide = up(op.w, 10);
          const w = op.weight === 'bf16' ? lib.cast(wide, 'bf16') : wide;
          if (w !== wide) inputs.push(w);
          return runner(() => lib.matmul(x, w.transpose()));
        }
      }
    },
    release() {
      for (const t of inputs) t.dispose();
      inputs = [];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// TensorFlow.js (WebGPU backend)

export async function tfjs(): Promise<Library> {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu')))
    throw new Error('tfjs: the webgpu backend did not initialise');
  await tf.ready();
  const backend = tf.backend() as unknown as {
    device: GPUDevice;
    ensureCommandEncoderReady(): void;
    endComputePassEncoder(): void;
    submitQueue(): void;
  };
  let inputs: { dispose(): void }[] = [];
  const up = (shape: number[], seed: number) => {
    const t = tf.tensor(data(shape, seed), shape);
    inputs.push(t);
    return t;
  };
  const runner = (run: () => unknown): Runner => ({
    run,
    // tfjs batches dispatches into one encoder; submit it and wait for the queue (no readback).
    async sync() {
      backend.ensureCommandEncoderReady();
      backend.endComputePassEncoder();
      backend.submitQueue();
      await backend.device.queue.onSubmittedWorkDone();
    },
    dispose: (out) => (out as { dispose(): void }).dispose(),
  });
  return {
    name: 'tfjs',
    prepare(op) {
      switch (op.kind) {
        case 'matmul': {
          const a = up(op.a, 1) as import('@tensorflow/tfjs-core').Tensor2D;
          const b = up(op.b, 2) as import('@tensorflow/tfjs-core').Tensor2D;
          return runner(() => tf.matMul(a, b));
        }
        case 'softmax': {
          const x = up(op.x, 3);
          return runner(() => tf.softmax(x));
        }
        case 'add': {
          const a = up(op.x, 4);
          const b = up(op.x, 5);
          return runner(() => tf.add(a, b));
        }
        case 'attention': {
          const [q, k, v] = [up(op.qkv, 6), up(op.qkv, 7), up(op.qkv, 8)];
          const t = op.qkv[2] as number;
          const mask = tf.tensor(causalMask(t), [t, t]);
          inputs.push(mask);
          const scale = 1 / Math.sqrt(op.qkv[3] as number);
          return runner(() =>
            tf.tidy(() => {
              const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), scale), mask);
              return tf.matMul(tf.softmax(scores), v);
            }),
          );
        }
        case 'linear': {
          if (op.weight !== 'f32') return undefined;
          const x = up(op.x, 9) as import('@tensorflow/tfjs-core').Tensor2D;
          const w = up(op.w, 10) as import('@tensorflow/tfjs-core').Tensor2D;
          return runner(() => tf.matMul(x, w, false, true));
        }
      }
    },
    release() {
      for (const t of inputs) t.dispose();
      inputs = [];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// jax-js (WebGPU device). Arrays are reference counted: every use of an input passes `.ref`.

export async function jax(): Promise<Library> {
  const jx = await import('@jax-js/jax');
  const devices = await jx.init('webgpu');
  if (!devices.includes('webgpu')) throw new Error('jax-js: the webgpu device did not initialise');
  jx.defaultDevice('webgpu');
  const np = jx.numpy;
  type JArray = InstanceType<typeof jx.Array>;
  let inputs: JArray[] = [];
  const up = (shape: number[], seed: number) => {
    const t = np.array(data(shape, seed)).reshape(shape);
    inputs.push(t);
    return t;
  };
  // jax-js is lazy: run() only records the computation; blockUntilReady dispatches the pending
  // kernels of the last output and waits for them (no readback).
  const lazyRunner = (run: () => JArray): Runner => {
    let last: JArray | undefined;
    return {
      run: () => (last = run()),
      sync: async () => {
        if (last) await jx.blockUntilReady(last);
      },
      dispose: (out) => (out as JArray).dispose(),
    };
  };
  return {
    name: 'jax',
    prepare(op) {
      switch (op.kind) {
        case 'matmul': {
          const a = up(op.a, 1);
          const b = up(op.b, 2);
          return lazyRunner(() => np.matmul(a.ref, b.ref));
        }
        case 'softmax': {
          const x = up(op.x, 3);
          return lazyRunner(() => jx.nn.softmax(x.ref, -1));
        }
        case 'add': {
          const a = up(op.x, 4);
          const b = up(op.x, 5);
          return lazyRunner(() => np.add(a.ref, b.ref));
        }
        case 'attention': {
          const [q, k, v] = [up(op.qkv, 6), up(op.qkv, 7), up(op.qkv, 8)];
          const t = op.qkv[2] as number;
          const mask = np.array(causalMask(t)).reshape([t, t]);
          inputs.push(mask);
          const scale = 1 / Math.sqrt(op.qkv[3] as number);
          return lazyRunner(() => {
            const scores = np.matmul(q.ref, np.matrixTranspose(k.ref)).mul(scale).add(mask.ref);
            return np.matmul(jx.nn.softmax(scores, -1), v.ref);
          });
        }
        case 'linear': {
          if (op.weight !== 'f32') return undefined;
          const x = up(op.x, 9);
          const w = up(op.w, 10);
          return lazyRunner(() => np.matmul(x.ref, np.matrixTranspose(w.ref)));
        }
      }
    },
    release() {
      for (const t of inputs) t.dispose();
      inputs = [];
    },
  };
}
