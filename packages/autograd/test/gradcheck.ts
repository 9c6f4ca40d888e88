/**
 * Finite-difference gradient checking. The op under test runs on the GPU (float32) through the
 * autograd graph; a naive float64 CPU version of the same forward, written in the test, is
 * differentiated by central differences, which in float64 are accurate to ~1e-9 — far below the
 * float32 error of the analytic gradients, so a disagreement is a wrong rule, not noise.
 *
 * Non-scalar outputs are reduced to the scalar L = Σ r ⊙ out with fixed random weights r (seeding
 * backward with r), so every output element's gradient is exercised with a different weight.
 * The check also compares the forward values (so a wrong CPU reference cannot pass unnoticed) and
 * that live GPU memory is back to its starting point once the variables are disposed (so every
 * saved tensor was freed by backward).
 */
import * as T from '@llm-streamline/tensor';
import { expect } from 'vitest';
import { type Variable, variable } from '../src/index.js';
import { randomArray, sizeOf } from './helpers.js';

export interface GradInput {
  shape: readonly number[];
  /** Explicit values; otherwise uniform in [lo, hi) from `seed`. */
  data?: ArrayLike<number>;
  seed?: number;
  lo?: number;
  hi?: number;
  /** Default true; false for inputs that are constants of the function. */
  requiresGrad?: boolean;
}

export interface GradcheckOptions {
  atol?: number;
  rtol?: number;
  /** Central-difference step (on float64 values). */
  h?: number;
  /** Tolerance of the forward comparison. */
  forwardAtol?: number;
  label?: string;
}

/**
 * Checks the gradient of `fn` with respect to each input that requires grad against central
 * differences of `cpuFn` (which receives float64 copies of the same float32 inputs and returns
 * the output, scalar or flattened row-major).
 */
export async function gradcheck(
  fn: (vars: Variable[]) => Variable,
  cpuFn: (arrays: Float64Array[]) => number | ArrayLike<number>,
  inputs: readonly GradInput[],
  { atol = 2e-4, rtol = 2e-3, h = 1e-5, forwardAtol = 1e-4, label = '' }: GradcheckOptions = {},
): Promise<void> {
  const device = await T.getDevice();
  await device.sync();
  const before = device.memoryStats().bytesLive;

  const f32 = inputs.map((inp, k) =>
    inp.data
      ? Float32Array.from(inp.data)
      : randomArray(sizeOf(inp.shape), inp.seed ?? 1000 + k, inp.lo ?? -1, inp.hi ?? 1),
  );
  const f64 = f32.map((a) => Float64Array.from(a));
  const vars = inputs.map((inp, k) =>
    variable(T.keep(T.tensor(f32[k] as Float32Array, inp.shape)), inp.requiresGrad ?? true),
  );

  const cpuOut = cpuFn(f64.map((a) => a.slice()));
  const cpuValues = typeof cpuOut === 'number' ? [cpuOut] : Array.from(cpuOut);
  const weights = randomArray(cpuValues.length, 77, 0.5, 1.5);

  const gpuValues = await T.scope(async () => {
    const out = fn(vars);
    expect(out.value.size, `${label} output size vs CPU reference`).toBe(cpuValues.length);
    const values = Array.from(await T.data(out.value));
    out.backward(out.value.size === 1 ? undefined : T.tensor(weights, out.shape));
    return values;
  });
  expect(gpuValues, `${label} forward`).toBeAllclose(cpuValues, { atol: forwardAtol, rtol: 1e-4 });

  const scalar = (arrays: Float64Array[]) => {
    const out = cpuFn(arrays);
    if (typeof out === 'number') return out;
    if (out.length === 1) return out[0] as number; // scalar outputs are back-propagated unweighted
    let s = 0;
    for (let i = 0; i < out.length; i++) s += (out[i] as number) * (weights[i] as number);
    return s;
  };
  for (let k = 0; k < inputs.length; k++) {
    const v = vars[k] as Variable;
    if (!v.requiresGrad) continue;
    const x = f64[k] as Float64Array;
    const numeric = new Float64Array(x.length);
    for (let j = 0; j < x.length; j++) {
      const x0 = x[j] as number;
      x[j] = x0 + h;
      const plus = scalar(f64);
      x[j] = x0 - h;
      const minus = scalar(f64);
      x[j] = x0;
      numeric[j] = (plus - minus) / (2 * h);
    }
    const analytic = v.grad
      ? Array.from(await T.data(v.grad))
      : new Array<number>(x.length).fill(0);
    expect(
      analytic,
      `${label} d/d input ${k} ${T.formatShape(inputs[k]?.shape ?? [])}`,
    ).toBeAllclose(numeric, { atol, rtol });
  }

  for (const v of vars) v.dispose();
  await device.sync();
  expect(
    device.memoryStats().bytesLive,
    `${label} live bytes after disposing (saved tensors freed?)`,
  ).toBe(before);
}
