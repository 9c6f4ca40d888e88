/**
 * How much device memory a run of a model needs, before it is loaded: `inspect` prints it so that
 * a user can tell whether a model fits before starting a prune. The model's own part (weights,
 * activations, largest tensors) is llm's `deviceMemory`; the replacement's training state is the
 * pipeline's (ffn, the default replacement: its parameters, their gradients and AdamW's two
 * moments).
 */
import {
  type DeviceMemory,
  deviceMemory,
  type LlamaConfig,
  type TensorSize,
  type WeightsDType,
} from '@llm-streamline/llm';
import { STREAMLINE_DEFAULTS } from '@llm-streamline/streamline';

/** The rough estimate `inspect` has printed from the start (the `memory` line), in bytes. */
export interface MemoryEstimate {
  weightsBytes: number;
  kvCacheBytes: number;
  activationBytes: number;
  totalBytes: number;
  assumptions: string;
}

/**
 * A rough GPU memory estimate: the weights at the dtype they are held in on the device, a batch-1
 * KV cache at the full context, and the peak activations of one pipeline batch (chunks of logits,
 * attention scores, MLP intermediates and a few hidden states).
 */
export function memoryEstimate(
  config: LlamaConfig,
  parameters: number,
  weightsDtype: WeightsDType = 'f32',
): MemoryEstimate {
  const b = STREAMLINE_DEFAULTS.batchSize;
  const t = STREAMLINE_DEFAULTS.blockLength;
  const m = deviceMemory(config, { parameters, batchSize: b, blockLength: t, weightsDtype });
  return {
    weightsBytes: m.weightsBytes,
    kvCacheBytes: m.kvCacheBytes,
    activationBytes: m.activationBytes,
    totalBytes: m.weightsBytes + m.kvCacheBytes + m.activationBytes,
    assumptions:
      `weights held as ${weightsDtype}; KV cache for 1 sequence of ${config.maxPositionEmbeddings} tokens (generation); ` +
      `activations for one batch of ${b} blocks × ${t} tokens (the pruning defaults): chunks of logits, attention ` +
      'scores, MLP intermediates and four hidden states. Training adds the replacement and its AdamW state.',
  };
}

/** What a prune needs on the device, part by part (`inspect`'s "device memory" section). */
export interface DeviceMemoryEstimate extends DeviceMemory {
  batchSize: number;
  blockLength: number;
  /** The replacement being trained: ffn at the model's intermediate size. */
  replacement: {
    kind: 'ffn';
    parameters: number;
    /** Parameters + gradients + AdamW's two moments, all f32: 16 bytes per parameter. */
    trainingBytes: number;
  };
  /** Weights + activations + the replacement's training state. */
  pruneBytes: number;
  /** The larger of the largest weight and the largest activation. */
  largestTensor: TensorSize;
}

/** The device memory of a prune with `batchSize` × `blockLength` batches (defaults: the pipeline's). */
export function deviceMemoryEstimate(
  config: LlamaConfig,
  parameters: number,
  {
    batchSize = STREAMLINE_DEFAULTS.batchSize,
    blockLength = STREAMLINE_DEFAULTS.blockLength,
    weightsDtype = 'f32',
  }: { batchSize?: number; blockLength?: number; weightsDtype?: WeightsDType } = {},
): DeviceMemoryEstimate {
  const m = deviceMemory(config, { parameters, batchSize, blockLength, weightsDtype });
  // FfnBlock: post_attention_layernorm (d) + SwiGLU gate, up (f × d) and down (d × f).
  const d = config.hiddenSize;
  const ffnParameters = 3 * d * config.intermediateSize + d;
  const trainingBytes = 4 * 4 * ffnParameters;
  return {
    ...m,
    batchSize,
    blockLength,
    replacement: { kind: 'ffn', parameters: ffnParameters, trainingBytes },
    pruneBytes: m.weightsBytes + m.activationBytes + trainingBytes,
    largestTensor:
      m.largestActivation.bytes > m.largestWeight.bytes ? m.largestActivation : m.largestWeight,
  };
}

/** The adapter's limits that bound one tensor (`device.limits`), and what kind of adapter it is. */
export interface AdapterLimits {
  description: string;
  isCpu: boolean;
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** Whether the estimate fits the adapter. */
export interface DeviceFit {
  adapter: AdapterLimits;
  /** The largest tensor fits one storage-buffer binding (and one buffer). */
  largestTensorFits: boolean;
  /** Tensors of the estimate (weights and activations) larger than one binding. */
  tooLarge: TensorSize[];
  /** WebGPU reports no memory size: null, with why. */
  totalMemoryBytes: null;
  totalMemory: string;
}

/** Checks the estimate's tensors against the adapter's limits. */
export function deviceFit(estimate: DeviceMemoryEstimate, adapter: AdapterLimits): DeviceFit {
  const limit = Math.min(adapter.maxStorageBufferBindingSize, adapter.maxBufferSize);
  const tooLarge = [estimate.largestWeight, estimate.largestActivation].filter(
    (t) => t.bytes > limit,
  );
  return {
    adapter,
    largestTensorFits: estimate.largestTensor.bytes <= limit,
    tooLarge,
    totalMemoryBytes: null,
    totalMemory: adapter.isCpu
      ? 'unknown: a CPU adapter uses system memory, and WebGPU does not report how much it may take'
      : 'unknown: WebGPU does not report the device memory; compare the estimate with the GPU’s own',
  };
}
