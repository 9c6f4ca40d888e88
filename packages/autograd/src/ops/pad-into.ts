import { type Tensor, writeInto, zeros } from '@llm-streamline/tensor';

/** A zero tensor of `shape` with `g` written at `start` along `axis` (the adjoint of narrow). */
export function padInto(g: Tensor, shape: readonly number[], axis: number, start: number): Tensor {
  const a = axis < 0 ? axis + shape.length : axis;
  const out = zeros(shape, 'f32', g.device);
  writeInto(out.narrow(a, start, g.shape[a] as number), g);
  return out;
}
