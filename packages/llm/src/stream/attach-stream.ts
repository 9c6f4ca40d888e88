/**
 * Loading under a memory budget: the sizes of a checkpoint's tensors on the device give the plan
 * (memory-plan.ts); when it says stream, the decoder layers and the output head become units of a
 * {@link WeightStream} over the still-open checkpoint, and only the rest is uploaded.
 */
import type { Variable } from '@llm-streamline/autograd';
import type { DType } from '@llm-streamline/tensor';
import type { LlamaConfig } from '../config/llama-config.js';
import { numElements } from '../io/tensor-index.js';
import type { NamedRecord } from '../load/load-weights.js';
import {
  deviceDtypeOf,
  type WeightsDType,
  type WeightsDTypeChoice,
} from '../load/weights-dtype.js';
import type { LlamaForCausalLM } from '../model/llama-model.js';
import { type BatchShape, bytesOnDevice, MemoryPlan, type ModelSizes } from './memory-plan.js';
import { type UploadParameter, WeightStream } from './weight-stream.js';

/** A memory budget for a model, and the batch shape its working set is planned for. */
export interface DeviceMemoryBudget extends BatchShape {
  /** Most bytes the device may hold for this model and its work. */
  budgetBytes: number;
}

const EMBEDDING = 'model.embed_tokens.weight';
const HEAD = 'lm_head.weight';
const LAYER = /^model\.layers\.(\d+)\./;

/** The device dtype of each record under `choice`. */
export function recordDtypes(
  records: readonly NamedRecord[],
  choice: WeightsDTypeChoice,
): Map<string, DType> {
  return new Map(
    records.map(({ hfName, record }) => [
      hfName,
      deviceDtypeOf(record.dtype, record.shape.length, choice),
    ]),
  );
}

/** The device sizes of a checkpoint's parts, for the plan. */
export function modelSizes(
  config: LlamaConfig,
  records: readonly NamedRecord[],
  choice: WeightsDTypeChoice,
): ModelSizes {
  const dtypes = recordDtypes(records, choice);
  const layerBytes = Array.from({ length: config.numLayers }, () => 0);
  let embeddingBytes = 0;
  let headBytes = 0;
  let otherBytes = 0;
  for (const { hfName, record } of records) {
    const bytes = bytesOnDevice(numElements(record.shape), dtypes.get(hfName) as DType);
    const layer = LAYER.exec(hfName);
    if (layer) layerBytes[Number(layer[1])] = (layerBytes[Number(layer[1])] ?? 0) + bytes;
    else if (hfName === EMBEDDING) embeddingBytes = bytes;
    else if (hfName === HEAD) headBytes = config.tieWordEmbeddings ? headBytes : bytes;
    else otherBytes += bytes;
  }
  return {
    config,
    layerBytes,
    embeddingBytes,
    headBytes: config.tieWordEmbeddings ? embeddingBytes : headBytes,
    otherBytes,
  };
}

/** The plan for loading `records` under `budget` (undefined without a budget). */
export function planLoad(
  config: LlamaConfig,
  records: readonly NamedRecord[],
  choice: WeightsDTypeChoice,
  budget: DeviceMemoryBudget | undefined,
): MemoryPlan | undefined {
  if (!budget) return undefined;
  const plan = new MemoryPlan(modelSizes(config, records, choice), budget.budgetBytes, budget);
  plan.check();
  return plan;
}

/** The HF names a streamed load leaves in the checkpoint: every layer's, the embedding, the head. */
export function streamedNames(records: readonly NamedRecord[]): Set<string> {
  return new Set(
    records
      .map((r) => r.hfName)
      .filter((name) => LAYER.test(name) || name === EMBEDDING || name === HEAD),
  );
}

/**
 * Makes `model` stream: its layers and head become units of a stream over `records`, whose files
 * `closeSources` closes when the model is disposed.
 */
export function attachWeightStream(
  model: LlamaForCausalLM,
  records: readonly NamedRecord[],
  choice: WeightsDTypeChoice,
  upload: UploadParameter,
  closeSources: () => Promise<void>,
): WeightStream {
  const dtypes = recordDtypes(records, choice);
  const byName = new Map(records.map((r) => [r.hfName, r]));
  const embedding = byName.get(EMBEDDING) as NamedRecord;
  const stream = new WeightStream(
    upload,
    { hfName: EMBEDDING, record: embedding.record, dtype: dtypes.get(EMBEDDING) as DType },
    // What `model.weightsDtype` reports when resident: the embedding's dtype.
    dtypes.get(EMBEDDING) as WeightsDType,
    closeSources,
  );
  const parametersOf = (prefix: string, named: [string, Variable][]) =>
    named.map(([name, parameter]) => {
      const hfName = `${prefix}${name}`;
      const found = byName.get(hfName) as NamedRecord;
      return { hfName, parameter, record: found.record, dtype: dtypes.get(hfName) as DType };
    });
  [...model.layers].forEach((layer, i) => {
    stream.addUnit(layer, parametersOf(`model.layers.${i}.`, layer.namedParameters()));
  });
  // The embedding is only ever read by rows on the host, except when saving, or as a tied head.
  const table = model.model.embedTokens;
  stream.addUnit(table, parametersOf('model.embed_tokens.', table.namedParameters()));
  if (model.lmHead)
    stream.addUnit(model.headModule, parametersOf('lm_head.', model.headModule.namedParameters()));
  model.weightStream = stream;
  return stream;
}
