/**
 * @llm-streamline/llm — LLaMA-family models on WebGPU: load (Hugging Face safetensors, llama2.c,
 * GGUF), run, generate, evaluate and save.
 */
// Configuration
export { parseHfConfig, toHfConfig, validateLlamaConfig } from './config/llama-config.js';
export type { LlamaConfig, Llama3RopeScaling } from './config/llama-config.js';
export { llamaConfigFromGguf } from './config/gguf-config.js';
export { llamaConfigFromLlama2c } from './config/llama2c-config.js';

// Files
export type { ByteSource } from './io/byte-source.js';
export { blobByteSource, bytesByteSource, readAllBytes, readAllText } from './io/byte-source.js';
export type { ModelDirectory } from './io/model-directory.js';
export { blobModelDirectory, memoryModelDirectory, readJsonFile } from './io/model-directory.js';
export type { TensorIndex, TensorRecord } from './io/tensor-index.js';
export { parseSafetensors } from './io/safetensors.js';
export { openSafetensorsCheckpoint, closeCheckpoint } from './io/safetensors-sharded.js';
export { writeSafetensors, planSafetensorsShards, layoutSafetensors } from './io/safetensors-writer.js';
export { parseGguf } from './io/gguf.js';
export type { GgufFile } from './io/gguf.js';
export { parseLlama2cCheckpoint } from './io/llama2c.js';
export { interleavedToHalfRotary, halfToInterleavedRotary } from './io/rope-layout.js';

// Tokenizers
export type { Tokenizer, EncodeOptions } from './tokenizer/tokenizer.js';
export { loadTokenizer, loadTokenizerFromDirectory, loadLlama2cTokenizer, tokenizerFromGguf } from './tokenizer/load-tokenizer.js';
export { Llama2cTokenizer } from './tokenizer/llama2c-tokenizer.js';
export { SentencePieceTokenizer } from './tokenizer/sentencepiece-tokenizer.js';
export { HfTokenizer } from './tokenizer/hf-tokenizer.js';

// Model
export type { DecoderBlock, LayerContext } from './model/decoder-block.js';
export { KvCache, LayerKvCache } from './model/kv-cache.js';
export { LlamaAttention } from './model/llama-attention.js';
export { LlamaDecoderLayer } from './model/llama-decoder-layer.js';
export { LlamaBackbone, LlamaForCausalLM } from './model/llama-model.js';
export type { ForwardOptions, ForwardResult } from './model/llama-model.js';

// Loading
export { loadHfModel, loadLlama2cModel, loadGgufModel } from './load/load-model.js';
export type { LoadedModel, LoadOptions, ModelFormat } from './load/load-model.js';
export { loadWeights } from './load/load-weights.js';

// Generation and evaluation
export { generate } from './generate/generate.js';
export type { GenerateOptions } from './generate/generate.js';
export { Sampler, argmax } from './generate/sampler.js';
export type { SamplerOptions } from './generate/sampler.js';
export { Xorshift64Star } from './generate/xorshift.js';
export { perplexity, packBlocks, splitDocuments } from './eval/perplexity.js';
export type { PerplexityOptions, PerplexityResult } from './eval/perplexity.js';

// Saving
export { saveHfModel, checkpointTensors } from './save/save-model.js';
export type { SaveDType, SaveOptions } from './save/save-model.js';
export { MemorySink } from './save/output-sink.js';
export type { OutputSink } from './save/output-sink.js';
