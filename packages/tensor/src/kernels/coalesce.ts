/**
 * Merges adjacent dims that every operand walks contiguously, and drops size-1 dims, so strided
 * kernels do fewer div/mod steps per element. E.g. adding two dense [8, 16, 32] tensors becomes a
 * 1-D loop over 4096 elements; adding a [32] bias to [8, 16, 32] becomes [128, 32].
 */
export function coalesceDims(
  shape: readonly number[],
  strides: readonly (readonly number[])[],
): {
  shape: number[];
  strides: number[][];
} {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    const size = shape[d] as number;
    if (size === 1) continue;
    const last = outShape.length - 1;
    const mergeable =
      last >= 0 &&
      strides.every((s, k) => (outStrides[k] as number[])[last] === (s[d] as number) * size);
    if (mergeable) {
      outShape[last] = (outShape[last] as number) * size;
      strides.forEach((s, k) => {
        (outStrides[k] as number[])[last] = s[d] as number;
      });
    } else {
      outShape.push(size);
      for (const [k, s] of strides.entries()) (outStrides[k] as number[]).push(s[d] as number);
    }
  }
  return { shape: outShape, strides: outStrides };
}
