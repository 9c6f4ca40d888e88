/**
 * What `inspect MODEL` reports, gathered from the checkpoint's headers only (no GPU needed, no
 * weights read; an adapter, when there is one, is only asked for its limits): the configuration, parameter counts (llm's `describeCheckpoint`), files, a memory
 * estimate, and the device memory a prune needs checked against the adapter's limits. This is the
 * `--json` result; commands/inspect.ts formats it as text.
 */
import {
  type CheckpointDescription,
  describeCheckpoint,
  dominantWeightsDtype,
  type LlamaConfig,
  type MemoryPlanRecord,
  type ModelType,
  memoryPlanFor,
  type WeightsDTypeChoice,
} from '@llm-streamline/llm';
import { detectModelFormat, readCheckpointHeaders } from '@llm-streamline/llm/node';
import { CliError } from '../errors.js';
import { MODEL_HINT } from '../model-input.js';
import { adapterLimits } from './adapter-limits.js';
import {
  type DeviceFit,
  type DeviceMemoryEstimate,
  deviceFit,
  deviceMemoryEstimate,
  type MemoryEstimate,
  memoryEstimate,
} from './memory-estimate.js';
import { type ModelFile, modelFiles } from './model-files.js';

/** Everything `inspect` reports (the `--json` result, less `type`). */
export interface Inspection {
  model: string;
  format: 'huggingface' | 'llama2c' | 'gguf';
  architecture: Architecture;
  parameters: CheckpointDescription['parameters'];
  /** Tensors per stored dtype (weights only). */
  dtypes: Record<string, number>;
  files: ModelFile[];
  totalFileBytes: number;
  memory: MemoryEstimate;
  /** What a prune needs on the device, and whether its tensors fit the adapter. */
  deviceMemory: DeviceMemoryEstimate & { fit: DeviceFit | { unavailable: string } };
  /**
   * How a load under the device memory budget would go (resident or streamed; see llm's
   * MemoryPlan), for batches as above; absent without a budget.
   */
  memoryPlan?: MemoryPlanRecord;
}

/** What the device-memory estimate is for (`--batch`, `--block-length`, `--weights-dtype`). */
export interface InspectOptions {
  batchSize?: number;
  blockLength?: number;
  /** How weights would be loaded; `auto` (the default) as the checkpoint stores them. */
  weightsDtype?: WeightsDTypeChoice;
  /** The device memory budget to plan for (bytes); no plan without one. */
  deviceMemory?: number;
}

/** The configuration as `inspect` names it. */
export interface Architecture {
  /** The checkpoint's `model_type` (llama2.c and GGUF models are LLaMA). */
  type: ModelType;
  layers: number;
  hiddenSize: number;
  intermediateSize: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocabSize: number;
  maxPositionEmbeddings: number;
  ropeTheta: number;
  ropeScaling: string | null;
  rmsNormEps: number;
  tiedEmbeddings: boolean;
}

/** Reads the config and tensor headers of `path` and counts everything. */
export async function inspectModel(
  path: string,
  options: InspectOptions = {},
): Promise<Inspection> {
  const format = await detectModelFormat(path);
  if (format === undefined) throw new CliError(`${path}: not a model`, MODEL_HINT);
  const { config, tensors } = await readCheckpointHeaders(path, format);
  const { parameters, dtypes } = describeCheckpoint(format, config.numLayers, tensors);
  const files = await modelFiles(path);
  const weightsDtype = dominantWeightsDtype(tensors, options.weightsDtype ?? 'auto');
  const estimate = deviceMemoryEstimate(config, parameters.total, { ...options, weightsDtype });
  const adapter = await adapterLimits();
  return {
    model: path,
    format,
    architecture: architectureOf(config),
    parameters,
    dtypes,
    files,
    totalFileBytes: files.reduce((a, f) => a + f.bytes, 0),
    memory: memoryEstimate(config, parameters.total, weightsDtype),
    deviceMemory: {
      ...estimate,
      fit: 'unavailable' in adapter ? adapter : deviceFit(estimate, adapter),
    },
    ...(options.deviceMemory === undefined
      ? {}
      : {
          memoryPlan: memoryPlanFor(
            format,
            config,
            tensors,
            {
              budgetBytes: options.deviceMemory,
              batchSize: estimate.batchSize,
              blockLength: estimate.blockLength,
            },
            options.weightsDtype,
          ).record(),
        }),
  };
}

function architectureOf(config: LlamaConfig): Architecture {
  return {
    type: config.modelType,
    layers: config.numLayers,
    hiddenSize: config.hiddenSize,
    intermediateSize: config.intermediateSize,
    heads: config.numHeads,
    kvHeads: config.numKvHeads,
    headDim: config.headDim,
    vocabSize: config.vocabSize,
    maxPositionEmbeddings: config.maxPositionEmbeddings,
    ropeTheta: config.ropeTheta,
    ropeScaling: config.ropeScaling
      ? `${config.ropeScaling.type} ×${config.ropeScaling.factor}`
      : null,
    rmsNormEps: config.rmsNormEps,
    tiedEmbeddings: config.tieWordEmbeddings,
  };
}
