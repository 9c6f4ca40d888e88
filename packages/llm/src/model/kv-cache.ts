import { formatShape, keep, type Tensor, writeInto, zeros } from '@llm-streamline/tensor';

/**
 * Keys and values of one attention layer for every position decoded so far, preallocated to
 * `maxTokens` so decoding never reallocates: [B, Hkv, maxTokens, Dh] each. `append` writes the new
 * positions into the preallocated buffers and returns views of the filled prefix.
 */
export class LayerKvCache {
  readonly keys: Tensor;
  readonly values: Tensor;

  constructor(
    batch: number,
    kvHeads: number,
    readonly maxTokens: number,
    headDim: number,
  ) {
    this.keys = keep(zeros([batch, kvHeads, maxTokens, headDim]));
    this.values = keep(zeros([batch, kvHeads, maxTokens, headDim]));
  }

  /** Stores k and v ([B, Hkv, T, Dh]) at positions offset…offset+T−1; returns views of positions 0…offset+T−1. */
  append(k: Tensor, v: Tensor, offset: number): { keys: Tensor; values: Tensor } {
    const t = k.shape[2] as number;
    if (offset + t > this.maxTokens) {
      throw new RangeError(
        `KV cache: ${offset + t} positions exceed its capacity of ${this.maxTokens} (keys ${formatShape(k.shape)})`,
      );
    }
    writeInto(this.keys.narrow(2, offset, t), k);
    writeInto(this.values.narrow(2, offset, t), v);
    return {
      keys: this.keys.narrow(2, 0, offset + t),
      values: this.values.narrow(2, 0, offset + t),
    };
  }

  dispose(): void {
    this.keys.dispose();
    this.values.dispose();
  }
}

/** One {@link LayerKvCache} per attention layer of a model. */
export class KvCache {
  /** Number of positions stored (the offset of the next call). */
  length = 0;

  constructor(readonly layers: LayerKvCache[]) {}

  dispose(): void {
    for (const l of this.layers) l.dispose();
  }
}
