import { embedBlocks, groupsOf, walkLayers } from '@llm-streamline/llm';
import { item, scope, sum, type Tensor } from '@llm-streamline/tensor';
import type { MetricContext } from './window-metric.js';

/**
 * Compares hidden states at every pair of boundaries (j, j+m) for the given window sizes,
 * accumulating a sum over tokens per window — the paper's "mean over calibration tokens" without
 * ever storing more than maxM + 1 hidden states of a batch: the layers run one at a time and a
 * ring per batch keeps only the boundaries a later comparison still needs.
 *
 * `perToken(h_j, h_{j+m})` returns one value per token ([B, T]); its sum is added to window
 * (j, m). With `prepare`, each boundary's hidden state is mapped once (e.g. to unit rows) and
 * `perToken` compares the prepared tensors (by default the hidden states themselves): with every
 * window size scored, each boundary takes part in up to L comparisons, so per-boundary work is
 * worth hoisting. Returns sums and the token count; divide for means.
 *
 * Batches walk the layers in groups (llm's `walkLayers`): one batch at a time on a resident
 * model, as many as the memory plan allows when the weights stream, each layer fetched once per
 * group. Per-batch sums are added in batch order either way, so both give the same scores.
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
  const batches = groupsOf(blocks, batchSize);
  const plan = model.memoryPlan;
  // Held per batch between layers: the ring of prepared boundaries and the state walking on.
  const perGroup = plan?.batchesPerGroup((maxM + 2) * plan.stateBytes, batches.length) ?? 1;
  let tokens = 0;
  let done = 0;
  for (const group of groupsOf(batches, perGroup)) {
    context.signal?.throwIfAborted();
    // The prepared boundaries a later comparison still needs, each a handle of its own (by
    // default a view of the hidden state), so the walk frees the states after every layer alike.
    const rings: Tensor[][] = group.map(() => []);
    // Per-window sums stay on the GPU as 0-d tensors; one readback per group.
    const partial: { m: number; j: number; value: Tensor }[][] = group.map(() => []);
    const visit = (boundary: number, states: readonly Tensor[]) =>
      states.forEach((h, b) => {
        const ring = rings[b] as Tensor[];
        const here = scope(() => prepare(h));
        for (const m of windowSizes) {
          const j = boundary - m;
          const hj = j >= 0 ? ring[ring.length - m] : undefined;
          if (hj) partial[b]?.push({ m, j, value: scope(() => sum(perToken(hj, here))) });
        }
        ring.push(here);
        if (ring.length > maxM) ring.shift()?.dispose();
      });
    try {
      const embedded: Tensor[] = [];
      for (const batch of group) embedded.push(await embedBlocks(model, batch));
      const outputs = await walkLayers(model, [...model.layers], embedded, {
        visit,
        signal: context.signal,
      });
      for (const h of outputs) h.dispose();
      const values = await Promise.all(
        partial.map((p) => Promise.all(p.map((x) => item(x.value)))),
      );
      partial.forEach((p, b) => {
        p.forEach(({ m, j }, k) => {
          (sums.get(m) as Float64Array)[j] += values[b]?.[k] as number;
        });
      });
    } finally {
      for (const ring of rings) for (const t of ring) t.dispose();
      for (const p of partial) for (const x of p) x.value.dispose();
    }
    for (const batch of group) {
      tokens += batch.length * (batch[0] as number[]).length;
      done += batch.length;
      context.onProgress?.(done, blocks.length);
    }
  }
  return { sums, tokens };
}
