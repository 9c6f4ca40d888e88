/**
 * ShortGPT (Men et al. 2024), the layer choice: score each layer alone by its Block Influence,
 * BI_l = 1 − E[cos(h_l, h_{l+1})] over calibration tokens (the `bi` metric at m = 1), and remove the
 * n layers of lowest influence, wherever they are: unlike LLM-Streamline's window, the removed
 * layers need not be consecutive.
 */

/**
 * The n layers of lowest Block Influence, in ascending layer order; ties go to the earlier layer.
 * `excludeLastLayer` keeps the last layer, as it keeps it out of LLM-Streamline's window.
 *
 * @param influence BI of every layer, index l = layer l (length L).
 * @param n layers to remove.
 */
export function shortGptLayers(
  influence: readonly number[],
  n: number,
  { excludeLastLayer = false } = {},
): number[] {
  const candidates = influence
    .map((bi, layer) => ({ bi, layer }))
    .filter(
      ({ bi, layer }) => !Number.isNaN(bi) && !(excludeLastLayer && layer === influence.length - 1),
    );
  if (!Number.isInteger(n) || n < 1 || n > candidates.length)
    throw new RangeError(
      `ShortGPT: cannot remove ${n} of ${candidates.length} scorable layers (expected 1…${candidates.length})`,
    );
  // A stable sort keeps equal influences in layer order, so the earlier layer goes first.
  const lowest = [...candidates].sort((a, b) => a.bi - b.bi).slice(0, n);
  return lowest.map(({ layer }) => layer).sort((a, b) => a - b);
}
