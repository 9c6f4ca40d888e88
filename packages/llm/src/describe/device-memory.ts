/**
 * The device memory a LLaMA needs, from its configuration alone (nothing loaded): the weights at
 * the dtype they are held in on the device, the activations of one batch, a generation KV cache,
 * and the largest single tensors, which must each fit one storage-buffer binding
 * (`maxStorageBufferBindingSize`) and one buffer (`maxBufferSize`).
 */
import { defaultChunkRows } from '@llm-streamline/autograd';
import type { LlamaConfig } from '../config/llama-config.js';
import { HF_EMBED_TOKENS, hfLayerTensorName } from '../io/weight-names.js';
import type { WeightsDType } from '../load/weights-dtype.js';

/** Bytes per parameter of each dtype weights can be held in on the device. */
export const DEVICE_DTYPE_BYTES: Readonly<Record<WeightsDType, number>> = {
  f32: 4,
  f16: 2,
  bf16: 2,
};

/** Activations are F32 whatever the weights' dtype. */
const ACTIVATION_BYTES = 4;

/**
 * Chunks of logits alive at once. Losses over the head (perplexity, the language-model training
 * stage) compute the logits a chunk of positions at a time (`linearCrossEntropy`); the training
 * stage's backward holds three chunk-sized tensors (softmax, one-hot, their difference).
 */
const LOGIT_CHUNKS_LIVE = 3;

export interface DeviceMemoryOptions {
  /** Parameters held on the device (counted from the stored tensors: a tied head counts once). */
  parameters: number;
  /**
   * Dtype of the weight matrices on the device (norms and biases, a rounding error, are counted
   * at it too). Default f32.
   */
  weightsDtype?: WeightsDType;
  /** Sequences in one batch. */
  batchSize: number;
  /** Tokens per sequence. */
  blockLength: number;
}

/** One tensor: what it is, its shape and its size on the device. */
export interface TensorSize {
  name: string;
  shape: number[];
  bytes: number;
}

export interface DeviceMemory {
  weightsDtype: WeightsDType;
  weightsBytes: number;
  /**
   * Peak activations of one batch, F32: three chunks of logits (3·rows·vocab, rows = min(b·t,
   * `defaultChunkRows(vocab)`): never the whole b·t·vocab), attention scores (b·heads·t·t), MLP
   * intermediates (3·b·t·intermediate) and four hidden states (4·b·t·hidden).
   */
  activationBytes: number;
  /** A batch-1 KV cache at the full context (generation), F32. */
  kvCacheBytes: number;
  /** The largest weight tensor on the device. */
  largestWeight: TensorSize;
  /** The largest activation tensor of one batch. */
  largestActivation: TensorSize;
}

/** The device memory of `config` for a batch of `batchSize` × `blockLength` tokens. */
export function deviceMemory(config: LlamaConfig, options: DeviceMemoryOptions): DeviceMemory {
  const weightsDtype = options.weightsDtype ?? 'f32';
  const w = DEVICE_DTYPE_BYTES[weightsDtype];
  const { batchSize: b, blockLength: t } = options;
  const { hiddenSize: d, intermediateSize: f, numHeads, numKvHeads, headDim, vocabSize } = config;
  const weights: [string, number[]][] = [
    [HF_EMBED_TOKENS, [vocabSize, d]], // lm_head, when not tied, is the same size
    [hfLayerTensorName(0, 'q'), [numHeads * headDim, d]],
    [hfLayerTensorName(0, 'o'), [d, numHeads * headDim]],
    [hfLayerTensorName(0, 'gate'), [f, d]],
    [hfLayerTensorName(0, 'down'), [d, f]],
  ];
  const logitRows = Math.min(b * t, defaultChunkRows(vocabSize));
  const activations: [string, number[]][] = [
    ['logits chunk', [logitRows, vocabSize]],
    ['attention scores', [b, numHeads, t, t]],
    ['MLP intermediate', [b, t, f]],
    ['hidden states', [b, t, d]],
  ];
  return {
    weightsDtype,
    weightsBytes: options.parameters * w,
    activationBytes:
      ACTIVATION_BYTES *
      (LOGIT_CHUNKS_LIVE * logitRows * vocabSize + b * t * (numHeads * t + 3 * f + 4 * d)),
    kvCacheBytes:
      2 * config.numLayers * config.maxPositionEmbeddings * numKvHeads * headDim * ACTIVATION_BYTES,
    largestWeight: largest(weights, w),
    largestActivation: largest(activations, ACTIVATION_BYTES),
  };
}

/** The largest of `tensors` (the first of equals) at `bytesPerElement`. */
function largest(tensors: [string, number[]][], bytesPerElement: number): TensorSize {
  let best: TensorSize | undefined;
  for (const [name, shape] of tensors) {
    const bytes = shape.reduce((a, n) => a * n, bytesPerElement);
    if (!best || bytes > best.bytes) best = { name, shape, bytes };
  }
  return best as TensorSize;
}
