/** `layers` with the entries at the indices in `removed` left out (indices into `layers`). */
export function withoutLayers<T>(layers: readonly T[], removed: readonly number[]): T[] {
  const gone = new Set(removed);
  return layers.filter((_, l) => !gone.has(l));
}
