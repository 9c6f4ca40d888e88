import { noGrad, variable } from '@llm-streamline/autograd';
import { item, scope, sum, type Tensor, tensor } from '@llm-streamline/tensor';
import type { MetricContext } from './window-metric.js';

/**
 * Compares hidden states at every pair of boundaries (j, j+m) for the given window sizes,
 * accumulating a sum over tokens per window — the paper's "mean over calibration tokens" without
 * ever storing more than maxM + 1 hidden states of one batch: the layers run one at a time and a
 * ring keeps only the boundaries a later comparison still needs.
 *
 * `perToken(h_j, h_{j+m})` returns one value per token ([B, T]); its sum is added to window
 * (j, m). With `prepare`, each boundary's hidden state is mapped once (e.g. to unit rows) and
 * `perToken` compares the prepared tensors (by default the hidden states themselves): with every
 * window size scored, each boundary takes part in up to L comparisons, so per-boundary work is
 * worth hoisting. Returns sums and the token count; divide for means.
 */
export async function sumOverWindows(
  context: MetricContext,
  windowSizes: readonly number[],
  perToken: (hj: Tensor, hjm: Tensor) => Tensor,
  { prepare = (h) => h.view(h.layout) }: { prepare?: (h: Tensor) => Tensor } = {},
): Promise<{ sums: Map<number, Float64Array>; tokens: number }> {
  const { model, blocks, batchSize } = context;
  const numLayers = model.layers.length;
  for (const m of windowSizes) {
    if (!Number.isInteger(m) || m < 1 || m > numLayers)
      throw new RangeError(`window size ${m} is outside 1…${numLayers}`);
  }
  const maxM = Math.max(...windowSizes);
  const sums = new Map(windowSizes.map((m) => [m, new Float64Array(numLayers - m + 1)]));
  let tokens = 0;
  for (let b = 0; b < blocks.length; b += batchSize) {
    context.signal?.throwIfAborted();
    const batch = blocks.slice(b, b + batchSize);
    const length = (batch[0] as number[]).length;
    // Per-window sums of this batch stay on the GPU as 0-d tensors; one readback per batch.
    const partial: { m: number; j: number; value: Tensor }[] = [];
    noGrad(() =>
      scope(() => {
        // The prepared boundaries a later comparison still needs, each a handle of its own (by
        // default a view of the hidden state), so the walk disposes `h` after every layer alike.
        const ring: Tensor[] = [];
        let h = model.embed(tensor(Int32Array.from(batch.flat()), [batch.length, length])).value;
        for (let boundary = 0; boundary <= numLayers; boundary++) {
          const here = scope(() => prepare(h));
          for (const m of windowSizes) {
            const j = boundary - m;
            const hj = j >= 0 ? ring[ring.length - m] : undefined;
            if (hj) partial.push({ m, j, value: scope(() => sum(perToken(hj, here))) });
          }
          ring.push(here);
          if (ring.length > maxM) ring.shift()?.dispose();
          if (boundary < numLayers) {
            const input = h;
            h = scope(
              () => model.layers.at(boundary).forward(variable(input), model.layerContext(0)).value,
            );
            input.dispose();
          }
        }
        h.dispose();
        for (const t of ring) t.dispose();
        return partial.map((p) => p.value);
      }),
    );
    const values = await Promise.all(partial.map((p) => item(p.value)));
    partial.forEach((p, k) => {
      (sums.get(p.m) as Float64Array)[p.j] += values[k] as number;
      p.value.dispose();
    });
    tokens += batch.length * length;
    context.onProgress?.(Math.min(b + batchSize, blocks.length), blocks.length);
  }
  return { sums, tokens };
}
