import { noGrad, variable } from '@llm-streamline/autograd';
import { embedBlocks, groupsOf, type LlamaForCausalLM, walkLayers } from '@llm-streamline/llm';
import { data, scope, type Tensor, tensor } from '@llm-streamline/tensor';

/** One batch of training pairs: the window's input h_j and its output h_{j+m}, each [B, T, D]. */
export interface PairBatch {
  input: Tensor;
  target: Tensor;
}

/** Batches of (h_j, h_{j+m}) pairs, produced on demand so memory does not grow with the data. */
export interface PairSource {
  readonly batchCount: number;
  /** Batch i (the caller disposes both tensors). */
  batch(i: number): Promise<PairBatch>;
  dispose(): Promise<void>;
}

/** Splits blocks into batches of at most `batchSize` (the last may be smaller). */
export function batchesOf(blocks: readonly number[][], batchSize: number): number[][][] {
  return groupsOf(blocks, batchSize);
}

/**
 * Runs the frozen model up to the window: h_j = layers 0…j−1 applied to the embeddings, and
 * h_{j+m} = layers j…j+m−1 applied to h_j. No gradients, intermediates freed as it goes.
 */
export function computePair(
  model: LlamaForCausalLM,
  blocks: readonly number[][],
  start: number,
  size: number,
): PairBatch {
  return noGrad(() =>
    scope(() => {
      const length = (blocks[0] as number[]).length;
      const ids = tensor(Int32Array.from(blocks.flat()), [blocks.length, length]);
      const input = model.runLayers(model.embed(ids), 0, start).value;
      const target = model.runLayers(variable(input), start, start + size).value;
      return { input, target };
    }),
  );
}

/** Recomputes each batch from the frozen prefix every time it is asked for: no storage at all. */
export class RecomputedPairs implements PairSource {
  private readonly batches: number[][][];

  constructor(
    private readonly model: LlamaForCausalLM,
    blocks: readonly number[][],
    batchSize: number,
    private readonly start: number,
    private readonly size: number,
  ) {
    this.batches = batchesOf(blocks, batchSize);
  }

  get batchCount(): number {
    return this.batches.length;
  }

  async batch(i: number): Promise<PairBatch> {
    return computePair(this.model, this.batches[i] as number[][], this.start, this.size);
  }

  async dispose(): Promise<void> {}
}

/** Where stored pairs live between epochs: memory in browsers, a temporary file in Node. */
export interface PairStorage {
  write(i: number, input: Float32Array, target: Float32Array): Promise<void>;
  read(i: number): Promise<{ input: Float32Array; target: Float32Array }>;
  dispose(): Promise<void>;
}

/** Keeps pairs in CPU memory (grows with the data: for small models and browsers). */
export class MemoryPairStorage implements PairStorage {
  private readonly items = new Map<number, { input: Float32Array; target: Float32Array }>();

  async write(i: number, input: Float32Array, target: Float32Array): Promise<void> {
    this.items.set(i, { input, target });
  }

  async read(i: number): Promise<{ input: Float32Array; target: Float32Array }> {
    const item = this.items.get(i);
    if (!item) throw new RangeError(`pair batch ${i} was never stored`);
    return item;
  }

  async dispose(): Promise<void> {
    this.items.clear();
  }
}

/**
 * Computes every batch once through the frozen prefix and stores it, so epochs after the first
 * cost only the replacement's own forward and backward. GPU memory holds one batch at a time; where
 * the rest lives is the storage's choice (a file keeps process memory flat too).
 */
export class StoredPairs implements PairSource {
  private constructor(
    private readonly storage: PairStorage,
    private readonly shapes: number[][],
  ) {}

  /**
   * Batches walk the frozen layers in groups (llm's `walkLayers`): one batch at a time on a
   * resident model, as many as the memory plan allows when the weights stream, so the prefix and
   * the window are each fetched once per group. The pairs are the same either way.
   */
  static async create(
    model: LlamaForCausalLM,
    blocks: readonly number[][],
    batchSize: number,
    start: number,
    size: number,
    storage: PairStorage,
    {
      onProgress,
      signal,
    }: { onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
  ): Promise<StoredPairs> {
    const batches = batchesOf(blocks, batchSize);
    const plan = model.memoryPlan;
    // Held per batch: h_j, and h_{j+m} being computed from it.
    const perGroup = plan?.batchesPerGroup(2 * plan.stateBytes, batches.length) ?? 1;
    const layers = [...model.layers];
    const shapes: number[][] = [];
    try {
      for (const group of groupsOf(batches, perGroup)) {
        signal?.throwIfAborted();
        const embedded: Tensor[] = [];
        for (const batch of group) embedded.push(await embedBlocks(model, batch));
        const inputs = await walkLayers(model, layers.slice(0, start), embedded, { signal });
        const targets = await walkLayers(model, layers.slice(start, start + size), inputs, {
          signal,
          consumeInputs: false,
        }).catch((e: unknown) => {
          for (const t of inputs) t.dispose();
          throw e;
        });
        for (const [k, input] of inputs.entries()) {
          const target = targets[k] as Tensor;
          const [x, y] = await Promise.all([data(input), data(target)]);
          const i = shapes.length;
          shapes.push([...input.shape]);
          input.dispose();
          target.dispose();
          await storage.write(i, x as Float32Array, y as Float32Array);
          onProgress?.(i + 1, batches.length);
        }
      }
    } catch (e) {
      await storage.dispose();
      throw e;
    }
    return new StoredPairs(storage, shapes);
  }

  get batchCount(): number {
    return this.shapes.length;
  }

  async batch(i: number): Promise<PairBatch> {
    const { input, target } = await this.storage.read(i);
    const shape = this.shapes[i] as number[];
    return { input: tensor(input, shape), target: tensor(target, shape) };
  }

  async dispose(): Promise<void> {
    await this.storage.dispose();
  }
}
