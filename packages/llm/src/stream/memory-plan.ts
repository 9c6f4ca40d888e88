/**
 * The one place that decides what is resident on the device and what streams, from the memory
 * budget, the model and the batch shape. Everything here is arithmetic on sizes (no device), so
 * the same plan is made before loading (the CLI's `inspect`), at load, and by each stage.
 *
 * Resident when the weights plus one batch's working set fit the budget: nothing changes then.
 * Otherwise the decoder layers and the output head stream (see weight-stream.ts) and the plan
 * says how many batches' hidden states a stage may hold at once (a *group*: the layers are
 * streamed once per group), whether the next layer's upload may overlap the current layer's
 * compute (two layers resident), and the smallest budget that works at all.
 */
import { defaultChunkRows } from '@llm-streamline/autograd';
import { bucketSize, bytesPerElement, type DType } from '@llm-streamline/tensor';
import type { LlamaConfig } from '../config/llama-config.js';
import { formatByteSize } from './byte-size.js';

/** Bytes a tensor of `count` elements of `dtype` takes on the device, as the buffer pool sizes it. */
export function bytesOnDevice(count: number, dtype: DType): number {
  return bucketSize(count * bytesPerElement(dtype));
}

/** The sizes the plan is made from, measured on the checkpoint's tensors. */
export interface ModelSizes {
  config: LlamaConfig;
  /** Device bytes of each decoder layer's parameters. */
  layerBytes: readonly number[];
  /** Device bytes of the token embedding table. */
  embeddingBytes: number;
  /** Device bytes of the output head's weight (the embedding's when tied). */
  headBytes: number;
  /** Device bytes of everything else (the final norm). */
  otherBytes: number;
}

export interface BatchShape {
  /** Blocks per batch. */
  batchSize: number;
  /** Tokens per block. */
  blockLength: number;
}

/**
 * What a stage planned and, once it ran, measured (`memoryStats().peakBytesHeld`: live buffers,
 * and those the pool keeps for reuse, which under a budget may fill it up to the budget; so the
 * measured peak may exceed the plan, which counts live bytes, and still keep to the budget).
 */
export interface StagePeak {
  /** Absent for a stage that planned nothing (no device work to speak of). */
  plannedPeakBytes?: number;
  measuredPeakBytes?: number;
  /**
   * The largest number of bytes live tensors held (`memoryStats().peakBytesLive`), without the
   * buffers kept for reuse: what the plan estimates.
   */
  measuredLiveBytes?: number;
  /** Batches whose hidden states the stage held at once (streamed runs). */
  batchesPerGroup?: number;
}

/** The plan, as `streamline.json`, the report and `inspect` record it. */
export interface MemoryPlanRecord {
  budgetBytes: number;
  mode: 'resident' | 'streamed';
  /** All weights, on the device. */
  weightsBytes: number;
  /** What stays on the device for the whole run. */
  residentBytes: number;
  /** What streams from the checkpoint (0 when resident). */
  streamedBytes: number;
  largestLayerBytes: number;
  /** Whether the next layer's upload overlaps the current layer's compute. */
  prefetch: boolean;
  /** The smallest budget a streamed run of this batch shape needs. */
  minimumBytes: number;
  stages?: Record<string, StagePeak>;
}

/** A budget so small that even one layer and one batch do not fit. */
export class MemoryBudgetError extends RangeError {
  constructor(
    readonly budgetBytes: number,
    readonly minimumBytes: number,
    what: string,
  ) {
    super(
      `device memory budget ${formatByteSize(budgetBytes)} is too small: ${what} needs at least ${formatByteSize(minimumBytes)}; give a budget of ${MemoryBudgetError.suggestion(minimumBytes)} or more, or use smaller batches or blocks`,
    );
    this.name = 'MemoryBudgetError';
  }

  /** The minimum rounded up to whole MiB, as a size to type (`12MiB`). */
  static suggestion(minimumBytes: number): string {
    return `${Math.ceil(minimumBytes / 2 ** 20)}MiB`;
  }
}

export class MemoryPlan {
  readonly mode: 'resident' | 'streamed';
  readonly prefetch: boolean;
  readonly minimumBytes: number;
  /** Bytes of one batch's hidden state [B, T, D] in f32. */
  readonly stateBytes: number;
  /** Peak temporaries of one batch through one decoder layer. */
  readonly layerWorkingBytes: number;
  readonly stages: Record<string, StagePeak> = {};
  /**
   * Bytes a run keeps on the device besides the model's weights for a while (a replacement being
   * trained and evaluated): set by the run, subtracted from what groups may use.
   */
  pinnedBytes = 0;
  /** The last group decision ({@link batchesPerGroup}), for the stage that made it to record. */
  lastGroup: { batchesPerGroup: number; plannedPeakBytes: number } | undefined;

  constructor(
    readonly sizes: ModelSizes,
    readonly budgetBytes: number,
    readonly batch: BatchShape,
  ) {
    const { config } = sizes;
    const { batchSize: b, blockLength: t } = batch;
    this.stateBytes = bucketSize(b * t * config.hiddenSize * 4);
    this.layerWorkingBytes = layerWorkingBytes(config, b, t);
    const resident =
      this.weightsBytes + this.layerWorkingBytes + this.headWorkingBytes(1) + 2 * this.stateBytes;
    this.mode = resident <= budgetBytes ? 'resident' : 'streamed';
    // One layer in use, one batch going in and out of it with its temporaries.
    this.minimumBytes =
      sizes.otherBytes + this.largestLayerBytes + this.layerWorkingBytes + 2 * this.stateBytes;
    this.prefetch =
      this.mode === 'streamed' && this.minimumBytes + this.largestLayerBytes <= budgetBytes;
  }

  get weightsBytes(): number {
    const { layerBytes, embeddingBytes, headBytes, otherBytes, config } = this.sizes;
    const layers = layerBytes.reduce((s, n) => s + n, 0);
    return layers + embeddingBytes + (config.tieWordEmbeddings ? 0 : headBytes) + otherBytes;
  }

  get largestLayerBytes(): number {
    return Math.max(0, ...this.sizes.layerBytes);
  }

  /** Fails, saying the minimum, when the budget cannot run even one layer on one batch. */
  check(): void {
    if (this.mode === 'streamed' && this.budgetBytes < this.minimumBytes)
      throw new MemoryBudgetError(
        this.budgetBytes,
        this.minimumBytes,
        'one decoder layer with one batch of activations',
      );
  }

  /**
   * How many batches a streamed stage may hold at once when each holds `heldPerBatch` bytes
   * between layers (its hidden state, plus what the stage keeps: a scoring ring, a shared
   * prefix). Resident runs process one batch at a time, as they always have.
   */
  batchesPerGroup(heldPerBatch: number, total: number): number {
    if (this.mode === 'resident') return 1;
    const layers = (this.prefetch ? 2 : 1) * this.largestLayerBytes;
    const available =
      this.budgetBytes -
      this.pinnedBytes -
      this.sizes.otherBytes -
      layers -
      this.layerWorkingBytes -
      this.stateBytes;
    const fits = Math.floor(available / heldPerBatch);
    if (fits < 1)
      throw new MemoryBudgetError(
        this.budgetBytes,
        this.budgetBytes - available + heldPerBatch,
        'a streamed layer with the hidden states this stage keeps',
      );
    const batchesPerGroup = Math.min(fits, total);
    this.lastGroup = {
      batchesPerGroup,
      plannedPeakBytes: this.budgetBytes - available + batchesPerGroup * heldPerBatch,
    };
    return batchesPerGroup;
  }

  /** What a resident run plans for: every weight, and one batch through a layer or the head. */
  get residentPeakBytes(): number {
    const { batchSize: b, blockLength: t } = this.batch;
    const rows = Math.min(b * t, defaultChunkRows(this.sizes.config.vocabSize));
    return (
      this.weightsBytes +
      Math.max(this.layerWorkingBytes, this.logitBytes(rows)) +
      2 * this.stateBytes
    );
  }

  /** Device bytes the head needs to score a batch: its weight once fetched and a few logit chunks. */
  headWorkingBytes(chunkRows: number): number {
    return this.sizes.headBytes + this.logitBytes(chunkRows);
  }

  /** The logit chunks alive while a head loss scores `rows` positions at a time. */
  logitBytes(rows: number): number {
    return LOGIT_CHUNKS_LIVE * bucketSize(rows * this.sizes.config.vocabSize * 4);
  }

  /**
   * Rows of logits scored at once by a streamed run's head while `heldBytes` are held besides
   * (the group's hidden states): as many as fit the budget, up to `defaultRows`.
   */
  lossChunkRows(heldBytes: number, defaultRows: number): number | undefined {
    if (this.mode === 'resident') return undefined;
    const { headBytes, otherBytes, config } = this.sizes;
    const free =
      this.budgetBytes -
      this.pinnedBytes -
      otherBytes -
      headBytes -
      heldBytes -
      2 * this.stateBytes;
    const rows = Math.floor(free / (LOGIT_CHUNKS_LIVE * config.vocabSize * 4 * 1.25));
    if (rows < 1)
      throw new MemoryBudgetError(
        this.budgetBytes,
        this.budgetBytes - free + LOGIT_CHUNKS_LIVE * bucketSize(config.vocabSize * 4),
        `the output head (${formatByteSize(headBytes)}) with one row of logits`,
      );
    const chosen = Math.min(rows, defaultRows);
    // The head's phase is part of the stage's plan: its weight and logit chunks beside the states.
    const headPeak = this.budgetBytes - free + this.logitBytes(chosen);
    if (this.lastGroup && headPeak > this.lastGroup.plannedPeakBytes)
      this.lastGroup = { ...this.lastGroup, plannedPeakBytes: headPeak };
    return chosen;
  }

  /** Forgets the last group decision: a new stage records its own. */
  beginStage(): void {
    this.lastGroup = undefined;
  }

  /** Notes a stage's planned and measured peak for the record. */
  noteStage(stage: string, peak: StagePeak): void {
    this.stages[stage] = peak;
  }

  record(): MemoryPlanRecord {
    const streamed = this.mode === 'streamed';
    const residentBytes = streamed ? this.sizes.otherBytes : this.weightsBytes;
    return {
      budgetBytes: this.budgetBytes,
      mode: this.mode,
      weightsBytes: this.weightsBytes,
      residentBytes,
      streamedBytes: this.weightsBytes - residentBytes,
      largestLayerBytes: this.largestLayerBytes,
      prefetch: this.prefetch,
      minimumBytes: this.minimumBytes,
      ...(Object.keys(this.stages).length > 0 ? { stages: { ...this.stages } } : {}),
    };
  }
}

/** Logit chunks alive at once while a head loss runs (logits, their softmax, the loss terms). */
const LOGIT_CHUNKS_LIVE = 3;

/**
 * Peak temporaries of one batch (b blocks of t tokens) through a LLaMA decoder layer, f32, as
 * the pool sizes them: the normed input, q/k/v and their rotated copies, attention scores and
 * probabilities, the attention output and its projection, the MLP's gate, up and product, and
 * the residual sums. An over-estimate by design: a plan must not promise what it cannot keep.
 */
export function layerWorkingBytes(config: LlamaConfig, b: number, t: number): number {
  const { hiddenSize: d, intermediateSize: f, numHeads: h, numKvHeads: kv, headDim: hd } = config;
  const n = b * t;
  const tensors = [
    n * d, // normed
    n * h * hd, // q
    n * kv * hd, // k
    n * kv * hd, // v
    n * h * hd, // rotated q
    n * kv * hd, // rotated k
    b * h * t * t, // scores
    b * h * t * t, // probabilities
    n * h * hd, // attention output
    n * d, // o_proj
    n * d, // residual
    n * d, // normed
    n * f, // gate
    n * f, // up
    n * f, // act(gate)·up
    n * d, // down
  ];
  return tensors.reduce((sum, count) => sum + bucketSize(count * 4), 0);
}
