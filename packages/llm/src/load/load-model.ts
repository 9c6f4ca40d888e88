import { llamaConfigFromGguf } from '../config/gguf-config.js';
import { type LlamaConfig, parseHfConfig } from '../config/llama-config.js';
import { llamaConfigFromLlama2c } from '../config/llama2c-config.js';
import type { ByteSource } from '../io/byte-source.js';
import { parseGguf } from '../io/gguf.js';
import { parseLlama2cCheckpoint } from '../io/llama2c.js';
import { type ModelDirectory, readJsonFile } from '../io/model-directory.js';
import { closeCheckpoint, openSafetensorsCheckpoint } from '../io/safetensors-sharded.js';
import type { TensorRecord } from '../io/tensor-index.js';
import { hfNameFromGguf, hfNameFromLlama2c } from '../io/weight-names.js';
import { LlamaForCausalLM } from '../model/llama-model.js';
import {
  attachWeightStream,
  type DeviceMemoryBudget,
  modelSizes,
  planLoad,
  streamedNames,
} from '../stream/attach-stream.js';
import { MemoryPlan } from '../stream/memory-plan.js';
import type { UploadParameter } from '../stream/weight-stream.js';
import {
  loadLlama2cTokenizer,
  loadTokenizerFromDirectory,
  tokenizerFromGguf,
} from '../tokenizer/load-tokenizer.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import { assertConfigFitsTensors } from './config-bounds.js';
import { nonFiniteTensors } from './finite-check.js';
import {
  type LoadWeightsOptions,
  loadWeights,
  type NamedRecord,
  nonFiniteWeightsError,
  uploadTensorRecord,
} from './load-weights.js';

export type ModelFormat = 'huggingface' | 'llama2c' | 'gguf';

/** A model on the GPU with what came with it. */
export interface LoadedModel {
  model: LlamaForCausalLM;
  config: LlamaConfig;
  /** Undefined only for a llama2.c checkpoint loaded without its tokenizer file. */
  tokenizer: Tokenizer | undefined;
  format: ModelFormat;
  /** Where it came from (path or name), for reports. */
  source: string;
}

export interface LoadOptions
  extends Pick<LoadWeightsOptions, 'onProgress' | 'weightsDtype' | 'checkFinite'> {
  /**
   * A device memory budget. When the weights and the working set of one batch of the given shape
   * do not fit it, the model is loaded *streamed*: its layers and head stay in the checkpoint,
   * which stays open until the model is disposed (see stream/memory-plan.ts). A budget too small
   * for even one layer fails here, saying the minimum. Without one, everything is uploaded.
   */
  deviceMemory?: DeviceMemoryBudget;
}

/** A Hugging Face directory: config.json, model.safetensors (or shards), tokenizer files. */
export async function loadHfModel(
  dir: ModelDirectory,
  options: LoadOptions = {},
): Promise<LoadedModel> {
  const config = await readHfConfig(dir);
  const checkpoint = await openSafetensorsCheckpoint(dir);
  let model: LlamaForCausalLM | undefined;
  try {
    const records = [...checkpoint.tensors.values()].map((record) => ({
      hfName: record.name,
      record,
    }));
    model = await build(
      config,
      records,
      { ...options, configName: `${dir.name}/config.json` },
      false,
      () => closeCheckpoint(checkpoint),
    );
    return {
      model,
      config,
      tokenizer: await loadTokenizerFromDirectory(dir),
      format: 'huggingface',
      source: dir.name,
    };
  } catch (e) {
    model?.dispose();
    throw e;
  } finally {
    // A streamed model reads its layers from the checkpoint until it is disposed.
    if (!model?.weightStream) await closeCheckpoint(checkpoint);
  }
}

/** The configuration of a Hugging Face directory, from its config.json. */
export async function readHfConfig(dir: ModelDirectory): Promise<LlamaConfig> {
  const configJson = await readJsonFile(dir, 'config.json');
  if (configJson === undefined)
    throw new Error(`${dir.name}: config.json not found (is this a Hugging Face model directory?)`);
  return parseHfConfig(configJson, `${dir.name}/config.json`);
}

/** A llama2.c checkpoint (`.bin`), with its `tok*.bin` tokenizer when given. */
export async function loadLlama2cModel(
  source: ByteSource,
  tokenizerSource?: ByteSource,
  options: LoadOptions = {},
): Promise<LoadedModel> {
  const checkpoint = await parseLlama2cCheckpoint(source);
  const config = llamaConfigFromLlama2c(checkpoint.header, source.name);
  const model = await build(
    config,
    namedRecords(checkpoint.tensors.values(), hfNameFromLlama2c),
    { ...options, configName: `the header of ${source.name}` },
    true,
    async () => source.close?.(),
  );
  const tokenizer = tokenizerSource ? await loadLlama2cTokenizer(tokenizerSource) : undefined;
  return { model, config, tokenizer, format: 'llama2c', source: source.name };
}

/** A GGUF file (F32/F16 tensors, llama architecture), tokenizer from its metadata. */
export async function loadGgufModel(
  source: ByteSource,
  options: LoadOptions = {},
): Promise<LoadedModel> {
  const gguf = await parseGguf(source);
  const config = llamaConfigFromGguf(gguf);
  const model = await build(
    config,
    namedRecords(gguf.tensors.values(), hfNameFromGguf),
    { ...options, configName: `the metadata of ${source.name}` },
    true,
    async () => source.close?.(),
  );
  return { model, config, tokenizer: tokenizerFromGguf(gguf), format: 'gguf', source: source.name };
}

/**
 * The memory plan a load of these tensors would follow under `budget`, from the headers alone
 * (what `inspect` shows before anything is loaded). `tensors` are the file's records, named as
 * `format` names them.
 */
export function memoryPlanFor(
  format: ModelFormat,
  config: LlamaConfig,
  tensors: readonly TensorRecord[],
  budget: DeviceMemoryBudget,
  weightsDtype: LoadOptions['weightsDtype'] = 'auto',
): MemoryPlan {
  const records =
    format === 'huggingface'
      ? tensors.map((record) => ({ hfName: record.name, record }))
      : namedRecords(tensors, format === 'gguf' ? hfNameFromGguf : hfNameFromLlama2c);
  return new MemoryPlan(modelSizes(config, records, weightsDtype), budget.budgetBytes, budget);
}

/** Records under their HF names; tensors with no HF counterpart (RoPE tables) are skipped. */
function namedRecords(
  records: Iterable<TensorRecord>,
  toHf: (name: string) => string | undefined,
): NamedRecord[] {
  const out: NamedRecord[] = [];
  for (const record of records) {
    const hfName = toHf(record.name);
    if (hfName) out.push({ hfName, record });
  }
  return out;
}

/**
 * The model with its weights: all uploaded, or, when `options.deviceMemory` says they do not
 * fit, all but the streamed ones, with a weight stream that owns the sources (`closeSources`)
 * from then on. Without streaming the caller closes them.
 */
async function build(
  config: LlamaConfig,
  records: NamedRecord[],
  options: LoadOptions & { configName: string },
  interleavedRope: boolean,
  closeSources: () => Promise<void>,
): Promise<LlamaForCausalLM> {
  // Before anything is sized from the configuration: a corrupt one must not allocate absurdly.
  assertConfigFitsTensors(config, records, options.configName);
  const choice = options.weightsDtype ?? 'auto';
  const plan = planLoad(config, records, choice, options.deviceMemory);
  const streamed = plan?.mode === 'streamed' ? streamedNames(records) : undefined;
  // Every parameter is loaded next: drawing random values first would only waste time and memory.
  const model = new LlamaForCausalLM(config, { init: 'empty' });
  // The budget is the device's: its buffer pool gives cached buffers back rather than exceed it.
  if (plan) model.invFreq.device.pool.budgetBytes = plan.budgetBytes;
  try {
    await loadWeights(model, config, records, { ...options, interleavedRope, streamed });
    model.memoryPlan = plan;
    if (streamed) {
      const upload: UploadParameter = (p) =>
        uploadTensorRecord(p.record, p.hfName, p.dtype, config, interleavedRope);
      attachWeightStream(
        model,
        records,
        choice,
        options.checkFinite === false ? upload : checkedOnFirstFetch(upload, records),
        closeSources,
      );
    }
    return model;
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * A streamed parameter's upload, followed by the NaN/Inf check of load-weights.ts the first time
 * each is fetched (one readback per parameter, once): streamed weights are not read at load. The
 * token embedding of a streamed model is read on the host row by row and never checked here; a NaN
 * in it reaches the logits, where the perplexity and score checks catch it.
 */
function checkedOnFirstFetch(upload: UploadParameter, records: NamedRecord[]): UploadParameter {
  const checked = new Set<string>();
  const byName = new Map(records.map((r) => [r.hfName, r]));
  return async (p) => {
    const value = await upload(p);
    if (checked.has(p.hfName)) return value;
    const bad = await nonFiniteTensors(value.device, [{ name: p.hfName, values: value }]);
    if (bad.length > 0) {
      value.dispose();
      throw nonFiniteWeightsError(bad, byName);
    }
    checked.add(p.hfName);
    return value;
  };
}
