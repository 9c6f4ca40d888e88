/**
 * @llm-streamline/llm — LLaMA-family models on WebGPU: load (Hugging Face safetensors, llama2.c,
 * GGUF), run, generate, evaluate and save.
 */
// Configuration

export type { Architecture, ModelType } from './config/architectures.js';
export { ARCHITECTURES } from './config/architectures.js';
export { llamaConfigFromGguf } from './config/gguf-config.js';
export { configForLayers, layerWindow } from './config/layer-types.js';
export type {
  LayerType,
  LinearRopeScaling,
  Llama3RopeScaling,
  LlamaConfig,
  RopeScaling,
} from './config/llama-config.js';
export { parseHfConfig, toHfConfig, validateLlamaConfig } from './config/llama-config.js';
export { llamaConfigFromLlama2c } from './config/llama2c-config.js';
export type {
  CheckpointDescription,
  LayerParameters,
  ParameterCounts,
} from './describe/describe-checkpoint.js';
export { describeCheckpoint } from './describe/describe-checkpoint.js';
export type {
  DeviceMemory,
  DeviceMemoryOptions,
  TensorSize,
} from './describe/device-memory.js';
export { DEVICE_DTYPE_BYTES, deviceMemory } from './describe/device-memory.js';
export type {
  ChoiceRequest,
  MultipleChoiceItem,
  MultipleChoiceTask,
  TaskFormat,
} from './eval/choice-item.js';
export { TARGET_DELIMITER } from './eval/choice-item.js';
export type { ContinuationOptions } from './eval/continuation-log-likelihood.js';
export {
  continuationLogLikelihoods,
  continuationLogLikelihoodsOfVariants,
} from './eval/continuation-log-likelihood.js';
export type { EncodedRequest, RequestWindow } from './eval/encode-request.js';
export { encodeRequest, requestWindow } from './eval/encode-request.js';
export type {
  ItemScore,
  MultipleChoiceOptions,
  MultipleChoiceResult,
} from './eval/multiple-choice.js';
export {
  encodeChoices,
  scoreMultipleChoice,
  scoreMultipleChoiceOfVariants,
} from './eval/multiple-choice.js';
export type { PerplexityOptions, PerplexityResult } from './eval/perplexity.js';
export {
  NonFiniteResultError,
  packBlocks,
  perplexity,
  perplexityOfVariants,
  splitDocuments,
} from './eval/perplexity.js';
export { parseTaskFile, TaskFileError } from './eval/task-file.js';
export type { GenerateOptions } from './generate/generate.js';
// Generation and evaluation
export { generate } from './generate/generate.js';
export type { SamplerOptions } from './generate/sampler.js';
export { argmax, Sampler } from './generate/sampler.js';
export { Xorshift64Star } from './generate/xorshift.js';
export type { WeightsPlan } from './hub/hub-files.js';
export {
  HUB_TOKENIZER_FILES,
  indexShards,
  planWeights,
  SAFETENSORS_INDEX,
} from './hub/hub-files.js';
// Hugging Face Hub ids and which files of a Hub repository a model needs
export type { HubId } from './hub/hub-id.js';
export { HUB_ID_HINT, looksLikePath, parseHubId } from './hub/hub-id.js';
// Files
export type { ByteSource } from './io/byte-source.js';
export { blobByteSource, bytesByteSource, readAllBytes, readAllText } from './io/byte-source.js';
export type { GgufFile } from './io/gguf.js';
export { parseGguf } from './io/gguf.js';
export { parseLlama2cCheckpoint } from './io/llama2c.js';
export type { ModelDirectory } from './io/model-directory.js';
export { blobModelDirectory, memoryModelDirectory, readJsonFile } from './io/model-directory.js';
export { halfToInterleavedRotary, interleavedToHalfRotary } from './io/rope-layout.js';
export { parseSafetensors } from './io/safetensors.js';
export { closeCheckpoint, openSafetensorsCheckpoint } from './io/safetensors-sharded.js';
export {
  layoutSafetensors,
  planSafetensorsShards,
  writeSafetensors,
} from './io/safetensors-writer.js';
export type { TensorIndex, TensorRecord } from './io/tensor-index.js';
export type { LoadedModel, LoadOptions, ModelFormat } from './load/load-model.js';
// Loading
export {
  loadGgufModel,
  loadHfModel,
  loadLlama2cModel,
  memoryPlanFor,
} from './load/load-model.js';
export { loadWeights } from './load/load-weights.js';
export type { WeightsDType, WeightsDTypeChoice } from './load/weights-dtype.js';
export {
  deviceDtypeOf,
  dominantWeightsDtype,
  parseWeightsDtype,
  WEIGHTS_DTYPE_CHOICES,
  WEIGHTS_DTYPES,
} from './load/weights-dtype.js';
// Model
export type { DecoderBlock, LayerContext } from './model/decoder-block.js';
export { KvCache, LayerKvCache } from './model/kv-cache.js';
export { LlamaAttention } from './model/llama-attention.js';
export { LlamaDecoderLayer } from './model/llama-decoder-layer.js';
export type {
  ForwardOptions,
  ForwardResult,
  LlamaModelOptions,
  NextTokenLossOptions,
} from './model/llama-model.js';
export { LlamaBackbone, LlamaForCausalLM } from './model/llama-model.js';
export { ropeFrequencies } from './model/rope-frequencies.js';
export { ggufTokenizerEntries, ggufTokenizerEntriesFromKv } from './save/gguf-tokenizer.js';
export type { OutputSink } from './save/output-sink.js';
export { MemorySink } from './save/output-sink.js';
export type { GgufSaveOptions } from './save/save-gguf.js';
export { saveGgufModel } from './save/save-gguf.js';
export type { SaveDType, SaveOptions } from './save/save-model.js';
// Saving
export { checkpointTensors, savedConfig, saveHfModel } from './save/save-model.js';
// Streaming weights under a memory budget
export type { DeviceMemoryBudget } from './stream/attach-stream.js';
export { modelSizes } from './stream/attach-stream.js';
export { formatByteSize, parseByteSize } from './stream/byte-size.js';
export type { LayerWalkOptions } from './stream/layer-walk.js';
export { embedBlocks, groupsOf, walkLayers } from './stream/layer-walk.js';
export { measureStage } from './stream/measure-stage.js';
export type {
  BatchShape,
  MemoryPlanRecord,
  ModelSizes,
  StagePeak,
} from './stream/memory-plan.js';
export {
  bytesOnDevice,
  layerWorkingBytes,
  MemoryBudgetError,
  MemoryPlan,
} from './stream/memory-plan.js';
export type { StreamStats } from './stream/weight-stream.js';
export { WeightStream } from './stream/weight-stream.js';
// Random-weight checkpoints at real shapes
export { byteLevelTokenizerFiles } from './synthetic/byte-tokenizer.js';
export type { CheckpointDims, CheckpointTensor } from './synthetic/checkpoint-layout.js';
export { checkpointDims, checkpointLayout } from './synthetic/checkpoint-layout.js';
export type { CheckpointPresetName, HfConfigJson } from './synthetic/checkpoint-presets.js';
export { CHECKPOINT_PRESETS, checkpointPreset } from './synthetic/checkpoint-presets.js';
export type { RandomCheckpointDType } from './synthetic/random-values.js';
export type { RandomCheckpointOptions } from './synthetic/write-random-checkpoint.js';
export { writeRandomCheckpoint } from './synthetic/write-random-checkpoint.js';
export { HfTokenizer } from './tokenizer/hf-tokenizer.js';
export { Llama2cTokenizer } from './tokenizer/llama2c-tokenizer.js';
export {
  loadLlama2cTokenizer,
  loadTokenizer,
  loadTokenizerFromDirectory,
  tokenizerFromGguf,
} from './tokenizer/load-tokenizer.js';
export { SentencePieceTokenizer } from './tokenizer/sentencepiece-tokenizer.js';
// Tokenizers
export type { EncodeOptions, Tokenizer } from './tokenizer/tokenizer.js';
