import * as T from '@llm-streamline/tensor';
import { composedAttentionGrad } from './ops/attention-composed-grad.js';
import {
  type CrossEntropyReduction,
  crossEntropyLogitsGrad,
  crossEntropyRowWeights,
} from './ops/cross-entropy-grad.js';
import {
  type LinearCrossEntropyAttrs,
  linearCrossEntropyGrad,
} from './ops/linear-cross-entropy-grad.js';
import { padInto } from './ops/pad-into.js';

/**
 * Every op's gradient rule, in one table (as tinygrad's `gradient.py`): to find how op X is
 * differentiated, look up X here. The tensor package holds only kernels (forward ones, and
 * backward ones such as `attentionGrad` or `siluGrad`); the chain rule is written here.
 *
 * A rule gets the gradient `g` of the op's output, the tensors the op saved in the forward, the
 * op's attributes (axes, shapes, options: what the forward knew) and which inputs need a
 * gradient. It returns one gradient per input (undefined where none flows), either at the input's
 * shape or at the broadcast output shape (backward sums broadcast dims away). Rules are written
 * with tensor ops, so they run on the GPU.
 *
 * Pointwise ops save their inputs and then their output: `[x, y]` for unary ops, `[a, b, y]` for
 * binary ones, `[cond, a, b, y]` for `where`.
 */
export type GradientRule<Attrs = never> = (
  g: T.Tensor,
  saved: readonly T.Tensor[],
  attrs: Attrs,
  needs: readonly boolean[],
) => (T.Tensor | undefined)[];

export const GRADIENTS = {
  // ── unary pointwise ────────────────────────────────────────────────────────────────────────
  neg: (g) => [T.neg(g)],
  abs: (g, [x]) => [T.mulSign(g, x)],
  exp: (g, [, y]) => [T.mul(g, y)],
  log: (g, [x]) => [T.div(g, x)],
  sqrt: (g, [, y]) => [T.div(T.mul(g, 0.5), y)],
  // d/dx x^-1/2 = -1/2 · x^-3/2 = -1/2 · y³
  rsqrt: (g, [, y]) => [T.mul(T.mul(g, -0.5), T.mul(y, T.mul(y, y)))],
  tanh: (g, [, y]) => [T.mul(g, T.sub(1, T.mul(y, y)))],
  sigmoid: (g, [, y]) => [T.mul(g, T.mul(y, T.sub(1, y)))],
  silu: (g, [x]) => [T.mul(g, T.siluGrad(x))],
  gelu: (g, [x]) => [T.mul(g, T.geluGrad(x))],
  relu: (g, [x]) => [T.mul(g, T.gt(x, 0))],
  acos: (g, [x]) => [T.mul(g, T.acosGrad(x))],

  // ── binary pointwise (comparisons have no entry: no gradient flows through them) ────────────
  add: (g) => [g, g],
  sub: (g) => [g, T.neg(g)],
  mul: (g, [a, b]) => [T.mul(g, b), T.mul(g, a)],
  div: (g, [a, b]) => [T.div(g, b), T.neg(T.div(T.mul(g, a), T.mul(b, b)))],
  // d/da a^b = b·a^(b-1); d/db a^b = a^b·ln a (only defined for a > 0)
  pow: (g, [a, b, y]) => [
    T.mul(g, T.mul(b, T.pow(a, T.sub(b, 1)))),
    T.mul(g, T.mul(y, T.logPositive(a))),
  ],
  // Ties send the gradient to the first input (PyTorch splits it evenly); we pick `a` for determinism.
  maximum: (g, [a, b]) => [T.mul(g, T.ge(a, b)), T.mul(g, T.lt(a, b))],
  minimum: (g, [a, b]) => [T.mul(g, T.le(a, b)), T.mul(g, T.gt(a, b))],
  where: (g, [cond]) => [undefined, T.mul(g, T.isNonzero(cond)), T.mul(g, T.isZero(cond))],

  // ── reductions ─────────────────────────────────────────────────────────────────────────────
  // d sum / dx = 1: the gradient broadcasts back over the reduced axes (kept as size 1).
  sum: (g, _, { kept, inputShape }: { kept: number[]; inputShape: readonly number[] }) => [
    T.reshape(g, kept).expand(inputShape),
  ],
  max: (g, saved, attrs: Extreme) => extremeGrad(g, saved, attrs),
  min: (g, saved, attrs: Extreme) => extremeGrad(g, saved, attrs),

  // ── views (no copy forward; backward maps the gradient back to the input's layout) ─────────
  reshape: (g, _, { from }: { from: readonly number[] }) => [T.reshape(g, from)],
  unsqueeze: (g, _, { from }: { from: readonly number[] }) => [T.reshape(g, from)],
  squeeze: (g, _, { from }: { from: readonly number[] }) => [T.reshape(g, from)],
  permute: (g, _, { inverse }: { inverse: number[] }) => [g.permute(inverse)],
  transpose: (g, _, { a, b }: { a: number; b: number }) => [g.transpose(a, b)],
  // The gradient at the expanded shape is summed back by backward's broadcast reduction.
  expand: (g) => [g],
  contiguous: (g) => [g],
  narrow: (g, _, { from, axis, start }: Narrowed) => [padInto(g, from, axis, start)],
  // One node per part (nodes have one output): each part's gradient is a narrow's.
  split: (g, _, { from, axis, start }: Narrowed) => [padInto(g, from, axis, start)],
  // Each input's gradient is its slice of the output gradient: a view, no copy.
  cat: (g, _, { axis, starts, sizes }: { axis: number; starts: number[]; sizes: number[] }) =>
    starts.map((start, i) => g.narrow(axis, start, sizes[i] as number)),
  stack: (g, _saved, { axis, count }: { axis: number; count: number }) =>
    Array.from({ length: count }, (_, i) => g.narrow(axis, i, 1).squeeze(axis)),

  // ── linear algebra ─────────────────────────────────────────────────────────────────────────
  // C = A·B: dA = dC·Bᵀ, dB = Aᵀ·dC through transposed views (no copies); batch dims that were
  // broadcast are summed back by backward.
  matmul: (g, [a, b], _, [needA, needB]) => [
    needA ? T.matmul(g, b.transpose()) : undefined,
    needB ? T.matmul(a.transpose(), g) : undefined,
  ],
  // y = x·Wᵀ + b with x saved flattened to rows [N, in]: dx = g·W, dW = gᵀ·x, db = Σ_rows g.
  // gᵀ·x yields dW directly in W's [out, in] layout (see `linear`).
  linear: (
    g,
    [rows, w],
    { xShape, outDim }: { xShape: readonly number[]; outDim: number },
    [needX, needW, needBias],
  ) => {
    const g2 = T.reshape(g, [-1, outDim]);
    return [
      needX ? T.reshape(T.matmul(g2, w), xShape) : undefined,
      needW ? T.matmul(g2.transpose(), rows) : undefined,
      needBias ? T.sum(g2, 0) : undefined,
    ];
  },

  // ── neural-network ops ─────────────────────────────────────────────────────────────────────
  // y = softmax(x): the Jacobian is diag(y) − y·yᵀ per row, so dx = y ⊙ (g − Σ(g ⊙ y)).
  softmax: (g, [y], { axis }: { axis: number }) => {
    if (y.rank === 0) return [T.zeros([], 'f32', y.device)]; // a one-element row is constantly 1
    const dot = T.sum(T.mul(g, y), axis, { keepdim: true });
    return [T.mul(y, T.sub(g, dot))];
  },
  // y = x − logΣexp(x): dx = g − softmax(x)·Σg, with softmax(x) = exp(y) from the saved output.
  logSoftmax: (g, [y], { axis }: { axis: number }) => {
    if (y.rank === 0) return [T.zeros([], 'f32', y.device)];
    const total = T.sum(g, axis, { keepdim: true });
    return [T.sub(g, T.mul(T.exp(y), total))];
  },
  // y = w ⊙ n with n = x·r, r = 1/√(mean(x²) + eps), and h = g ⊙ w (the gradient reaching n):
  //   dx = r · (h − n · mean(h ⊙ n))   — the second term is the part of h along x, which the
  //                                      normalisation removes (scaling x leaves n unchanged);
  //   dw = Σ over rows of g ⊙ n       — returned at the row shape; backward sums the rows.
  // r and n are recomputed from the saved input (cheaper than saving a second [..., D] tensor).
  rmsNorm: (g, [x, w], { eps }: { eps: number }, [needX, needW]) => {
    const r = T.rsqrt(T.add(T.mean(T.mul(x, x), -1, { keepdim: true }), eps));
    const n = T.mul(x, r);
    let dx: T.Tensor | undefined;
    if (needX) {
      const h = T.mul(g, w);
      const along = T.mean(T.mul(h, n), -1, { keepdim: true });
      dx = T.mul(r, T.sub(h, T.mul(n, along)));
    }
    return [dx, needW ? T.mul(g, n) : undefined];
  },
  // Each pair is rotated by a fixed angle: a linear map whose transpose is the rotation by the
  // opposite angle, so the gradient is RoPE with `inverse` flipped.
  rope: (g, [invFreq], { options }: { options: T.RopeOptions }) => [
    T.rope(g, invFreq, { ...options, inverse: !options.inverse }),
  ],
  // Scatters each output row's gradient back onto the row it was read from (repeats sum).
  embedding: (g, [ids], { vocabSize }: { vocabSize: number }) => [
    T.embeddingBackward(g, ids, vocabSize),
  ],
  // Row i's loss is logΣexp(zᵢ) − zᵢ[tᵢ], whose gradient is softmax(zᵢ) − oneHot(tᵢ), weighted
  // by the upstream gradient of the row's loss (see cross-entropy-grad.ts).
  crossEntropy: (g, [z, t], attrs: CrossEntropyReduction) => [
    crossEntropyLogitsGrad(T.softmax(z, -1), t, crossEntropyRowWeights(g, t, attrs)),
  ],
  // The cross-entropy of x·Wᵀ, with the logits recomputed one chunk of rows at a time (see
  // linear-cross-entropy-grad.ts): dx = dz·W, dW = dzᵀ·x, dz = softmax − oneHot per chunk.
  linearCrossEntropy: (g, saved, attrs: LinearCrossEntropyAttrs, needs) =>
    linearCrossEntropyGrad(g, saved, attrs, needs),
  // The backward matches the forward's method: the fused forward saved each row's log-sum-exp
  // and `attentionGrad` streams over keys and queries with no [Tq, Tk] matrix; the composed one
  // goes through matmuls. The fused rule returns all three gradients; the engine keeps those of
  // inputs that require one and its scope frees the rest.
  attention: (g, saved, { options, fused }: AttentionAttrs, needs) => {
    if (!fused) return composedAttentionGrad(g, saved, options, needs);
    const [q, k, v, out, logsumexp] = saved as [T.Tensor, T.Tensor, T.Tensor, T.Tensor, T.Tensor];
    const { dq, dk, dv } = T.attentionGrad(q, k, v, out, logsumexp, g, options);
    return [dq, dk, dv];
  },
} satisfies Record<string, GradientRule<never>>;

/** An op with an entry in {@link GRADIENTS}. */
export type GradientOp = keyof typeof GRADIENTS;

/** The attributes op `Op`'s rule reads (`never` or `unknown` when it reads none). */
export type GradientAttrs<Op extends GradientOp> =
  (typeof GRADIENTS)[Op] extends GradientRule<infer A> ? A : never;

interface Narrowed {
  from: readonly number[];
  axis: number;
  start: number;
}
interface Extreme {
  axes: T.Axes;
  kept: number[];
}
interface AttentionAttrs {
  options: T.AttentionOptions;
  fused: boolean;
}

/**
 * max/min send the gradient to the positions that hold the extreme value, split evenly between
 * ties (the subgradient PyTorch's `amax` uses). Saved: the input and the output.
 */
function extremeGrad(g: T.Tensor, [x, out]: readonly T.Tensor[], { axes, kept }: Extreme) {
  const hit = T.eq(x, T.reshape(out, kept));
  const count = T.sum(hit, axes, { keepdim: true });
  return [T.div(T.mul(hit, T.reshape(g, kept)), count)];
}
