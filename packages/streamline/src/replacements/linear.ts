import { linear, Module, type Variable } from '@llm-streamline/autograd';
import type { DecoderBlock, LayerContext, LlamaConfig } from '@llm-streamline/llm';
import {
  cat,
  data,
  matmul,
  ones,
  reshape,
  scope,
  type Tensor,
  tensor,
} from '@llm-streamline/tensor';
import type { PairSource } from '../training/pairs.js';
import type { ReplacementKind } from './replacement.js';

/** y = h·Wᵀ + b: an affine map of the hidden state, fitted in closed form. */
export class LinearBlock extends Module implements DecoderBlock {
  readonly weight: Variable;
  readonly bias: Variable;

  constructor(readonly config: LlamaConfig) {
    super();
    const d = config.hiddenSize;
    const identity = new Float32Array(d * d);
    for (let i = 0; i < d; i++) identity[i * d + i] = 1;
    this.weight = this.registerParameter('weight', tensor(identity, [d, d]));
    this.bias = this.registerParameter('bias', tensor(new Float32Array(d), [d]));
  }

  forward(h: Variable, _ctx: LayerContext): Variable {
    return linear(h, this.weight, this.bias);
  }

  asLlamaLayer(): { reason: string } {
    return {
      reason:
        'a general affine map cannot be written as a LLaMA decoder layer (its attention and MLP only see RMS-normalised ' +
        'input, and the MLP is non-linear), so no checkpoint is written for it; streamline.json still records the run',
    };
  }
}

/**
 * Least squares: the affine map A minimising Σ‖[h_j, 1]·A − h_{j+m}‖² over all calibration tokens.
 * The normal equations (XᵀX + λI)·A = XᵀY are accumulated batch by batch (XᵀX is only
 * (D+1)×(D+1), so memory does not depend on the data), each batch's products summed in float64 on
 * the CPU, then solved by Cholesky in float64. λ is a tiny ridge (1e-8 of the mean diagonal) that
 * only matters when XᵀX is singular.
 */
export async function fitLeastSquares(
  pairs: PairSource,
  dim: number,
  signal?: AbortSignal,
): Promise<{ weight: Float32Array; bias: Float32Array }> {
  const n = dim + 1;
  const xtx = new Float64Array(n * n);
  const xty = new Float64Array(n * dim);
  for (let i = 0; i < pairs.batchCount; i++) {
    signal?.throwIfAborted();
    const { input, target } = await pairs.batch(i);
    const [a, b] = await scope(async () => {
      const x = reshape(input, [-1, dim]);
      const xa = cat([x, ones([x.shape[0] as number, 1])], 1);
      const y = reshape(target, [-1, dim]);
      return Promise.all([data(matmul(xa.transpose(), xa)), data(matmul(xa.transpose(), y))]);
    });
    input.dispose();
    target.dispose();
    for (let k = 0; k < xtx.length; k++) xtx[k] = (xtx[k] as number) + (a[k] as number);
    for (let k = 0; k < xty.length; k++) xty[k] = (xty[k] as number) + (b[k] as number);
  }
  let trace = 0;
  for (let k = 0; k < n; k++) trace += xtx[k * n + k] as number;
  const ridge = 1e-8 * (trace / n);
  for (let k = 0; k < n; k++) xtx[k * n + k] = (xtx[k * n + k] as number) + ridge;
  const solution = choleskySolve(xtx, xty, n, dim);
  // A is [D+1, D]: rows 0…D−1 are Wᵀ, row D is b.
  const weight = new Float32Array(dim * dim);
  for (let r = 0; r < dim; r++)
    for (let c = 0; c < dim; c++) weight[c * dim + r] = solution[r * dim + c] as number;
  return { weight, bias: Float32Array.from(solution.subarray(dim * dim, dim * dim + dim)) };
}

/** Solves S·X = B for symmetric positive-definite S [n, n] and B [n, k], in float64. */
export function choleskySolve(
  s: Float64Array,
  b: Float64Array,
  n: number,
  k: number,
): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = s[i * n + j] as number;
      for (let p = 0; p < j; p++) sum -= (l[i * n + p] as number) * (l[j * n + p] as number);
      if (i === j) {
        if (!(sum > 0))
          throw new Error(
            `least squares: the normal matrix is not positive definite (pivot ${i} is ${sum})`,
          );
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / (l[j * n + j] as number);
      }
    }
  }
  const x = Float64Array.from(b);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      let sum = x[i * k + c] as number;
      for (let p = 0; p < i; p++) sum -= (l[i * n + p] as number) * (x[p * k + c] as number);
      x[i * k + c] = sum / (l[i * n + i] as number);
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = x[i * k + c] as number;
      for (let p = i + 1; p < n; p++) sum -= (l[p * n + i] as number) * (x[p * k + c] as number);
      x[i * k + c] = sum / (l[i * n + i] as number);
    }
  }
  return x;
}

/** A closed-form affine map in place of m = n + 1 layers; no training. */
export const linearReplacement: ReplacementKind = {
  name: 'linear',
  description: 'a least-squares affine map from h_j to h_{j+m} (closed form, no training)',
  label: 'least squares, closed form',
  windowSize: (n) => n + 1,
  fit: 'closed-form',
  create: ({ model }) => new LinearBlock(model.config),
  async fitClosedForm(module, pairs, signal) {
    const block = module as LinearBlock;
    const { weight, bias } = await fitLeastSquares(pairs, block.config.hiddenSize, signal);
    const values = new Map<string, Tensor>([
      ['weight', tensor(weight, [block.config.hiddenSize, block.config.hiddenSize])],
      ['bias', tensor(bias, [block.config.hiddenSize])],
    ]);
    block.loadStateDict(values);
    for (const t of values.values()) t.dispose();
  },
};
