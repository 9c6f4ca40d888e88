/**
 * Shortest decimal that rounds to the same float32. Formats that store
 * hyper-parameters as float32 (GGUF) turn 1e-5 into 9.999999747378752e-6 when
 * widened to a double; this recovers the value a person wrote.
 */
export function shortestFloat32(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const target = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number.parseFloat(value.toPrecision(digits));
    if (Math.fround(candidate) === target) return candidate;
  }
  return value;
}
