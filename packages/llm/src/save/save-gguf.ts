/**
 * Saves a model as a llama.cpp GGUF file (architecture `llama`): llama.cpp's tensor names and
 * metadata keys (gguf-py constants, as convert_hf_to_gguf.py writes them), q/k rows permuted back
 * to the interleaved RoPE layout llama.cpp expects (the inverse of what loading a GGUF undoes),
 * F32, F16 or BF16 matrices with 1-D tensors (norms, biases) kept in F32 as llama.cpp keeps them,
 * and the tokenizer's metadata when its files are given. Tensors are fetched, encoded and written
 * one at a time, a streamed model's units one unit at a time.
 */
import { data, f32ToBf16, f32ToF16, type Tensor } from '@llm-streamline/tensor';
import { layerWindow } from '../config/layer-types.js';
import type { LlamaConfig } from '../config/llama-config.js';
import type { GgmlTypeName, GgufEntry, GgufTensorPlan } from '../io/gguf-writer.js';
import { layoutGguf } from '../io/gguf-writer.js';
import { halfToInterleavedRotary } from '../io/rope-layout.js';
import { HF_LAYER_TENSORS, isRotaryProjection } from '../io/weight-names.js';
import type { LlamaForCausalLM } from '../model/llama-model.js';
import { ggufTokenizerEntries } from './gguf-tokenizer.js';
import type { OutputSink } from './output-sink.js';
import { checkpointTensors, type SaveDType, StreamedUnits, savedConfig } from './save-model.js';

export interface GgufSaveOptions {
  /** Storage type of the matrices (1-D tensors stay F32). Default F32. */
  dtype?: SaveDType;
  /** Tokenizer files by name (tokenizer.model, tokenizer.json, tokenizer_config.json). */
  tokenizerFiles?: ReadonlyMap<string, Uint8Array>;
  /** Tokenizer metadata given directly (another GGUF's, see ggufTokenizerEntriesFromKv); wins over tokenizerFiles. */
  tokenizerEntries?: readonly GgufEntry[];
  /** `general.name`. */
  name?: string;
  /** Called after each tensor with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** llama.cpp's `general.file_type` (LLAMA_FTYPE) of each dtype. */
const FILE_TYPE: Record<SaveDType, number> = { F32: 0, F16: 1, BF16: 32 };

/** llama.cpp's names of the per-layer tensors (gguf-py MODEL_TENSOR names for LLaMA). */
const GGUF_LAYER_NAMES: Record<string, string> = {
  [HF_LAYER_TENSORS.inputNorm]: 'attn_norm',
  [HF_LAYER_TENSORS.q]: 'attn_q',
  [HF_LAYER_TENSORS.k]: 'attn_k',
  [HF_LAYER_TENSORS.v]: 'attn_v',
  [HF_LAYER_TENSORS.o]: 'attn_output',
  [HF_LAYER_TENSORS.postAttentionNorm]: 'ffn_norm',
  [HF_LAYER_TENSORS.gate]: 'ffn_gate',
  [HF_LAYER_TENSORS.up]: 'ffn_up',
  [HF_LAYER_TENSORS.down]: 'ffn_down',
};

const GGUF_GLOBAL_NAMES: Record<string, string> = {
  'model.embed_tokens.weight': 'token_embd.weight',
  'model.norm.weight': 'output_norm.weight',
  'lm_head.weight': 'output.weight',
};

/** llama.cpp's name of a checkpoint tensor (`model.layers.3.self_attn.q_proj.weight` → `blk.3.attn_q.weight`). */
export function ggufTensorName(hfName: string): string {
  const global = GGUF_GLOBAL_NAMES[hfName];
  if (global) return global;
  const match = /^model\.layers\.(\d+)\.(.+)\.(weight|bias)$/.exec(hfName);
  const role = match ? GGUF_LAYER_NAMES[match[2] as string] : undefined;
  if (!match || !role) throw new Error(`GGUF export: tensor "${hfName}" has no llama.cpp name`);
  return `blk.${match[1]}.${role}.${match[3]}`;
}

/**
 * Refuses what llama.cpp's `llama` architecture would run differently from us, naming the field:
 * Qwen2 (llama.cpp's `qwen2` architecture), sliding-window layers, RoPE scaling.
 */
export function assertGgufExportable(config: LlamaConfig): void {
  const why = (what: string) =>
    new Error(
      `GGUF export: ${what}; only models llama.cpp runs as its "llama" architecture can be written`,
    );
  if (config.modelType === 'qwen2')
    throw why(
      'a Qwen2 model is llama.cpp\'s "qwen2" architecture, which this writer does not produce',
    );
  for (let i = 0; i < config.numLayers; i++)
    if (layerWindow(config, i) !== undefined)
      throw why(
        `layer ${i} uses sliding-window attention (window ${config.slidingWindow}), which llama.cpp's "llama" ignores`,
      );
  if (config.ropeScaling)
    throw why(`RoPE scaling "${config.ropeScaling.type}" is not written by this exporter`);
}

/** The `general.*` and `llama.*` metadata of a model with this configuration. */
export function ggufModelEntries(
  config: LlamaConfig,
  dtype: SaveDType,
  name?: string,
): GgufEntry[] {
  const u32 = (key: string, value: number): GgufEntry => ({ key, value: { type: 'u32', value } });
  const f32 = (key: string, value: number): GgufEntry => ({ key, value: { type: 'f32', value } });
  const entries: GgufEntry[] = [
    { key: 'general.architecture', value: { type: 'string', value: 'llama' } },
  ];
  if (name !== undefined)
    entries.push({ key: 'general.name', value: { type: 'string', value: name } });
  entries.push(
    u32('general.file_type', FILE_TYPE[dtype]),
    u32('general.alignment', 32),
    u32('llama.vocab_size', config.vocabSize),
    u32('llama.context_length', config.maxPositionEmbeddings),
    u32('llama.embedding_length', config.hiddenSize),
    u32('llama.block_count', config.numLayers),
    u32('llama.feed_forward_length', config.intermediateSize),
    u32('llama.rope.dimension_count', config.headDim),
    u32('llama.attention.head_count', config.numHeads),
    u32('llama.attention.head_count_kv', config.numKvHeads),
    f32('llama.rope.freq_base', config.ropeTheta),
    f32('llama.attention.layer_norm_rms_epsilon', config.rmsNormEps),
  );
  // Only when the head size is not hidden/heads, as convert_hf_to_gguf.py writes them.
  if (config.headDim * config.numHeads !== config.hiddenSize)
    entries.push(
      u32('llama.attention.key_length', config.headDim),
      u32('llama.attention.value_length', config.headDim),
    );
  return entries;
}

/**
 * Writes `model` as one GGUF file named `fileName` into `sink`. Throws before writing anything for
 * a model llama.cpp's `llama` architecture does not cover, or a layer with no LLaMA encoding.
 */
export async function saveGgufModel(
  model: LlamaForCausalLM,
  sink: OutputSink,
  fileName: string,
  options: GgufSaveOptions = {},
): Promise<void> {
  const dtype = options.dtype ?? 'F32';
  const config = savedConfig(model);
  assertGgufExportable(config);
  const state = checkpointTensors(model);
  const plans: (GgufTensorPlan & { hfName: string })[] = [...state].map(([hfName, t]) => ({
    hfName,
    name: ggufTensorName(hfName),
    type: t.shape.length === 1 ? 'F32' : dtype,
    shape: t.shape,
  }));
  const entries = [
    ...ggufModelEntries(config, dtype, options.name),
    ...(options.tokenizerEntries ??
      (options.tokenizerFiles ? (ggufTokenizerEntries(options.tokenizerFiles, config) ?? []) : [])),
  ];
  const layout = layoutGguf(entries, plans);
  const streamed = new StreamedUnits(model);
  let done = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield layout.header;
    for (const [i, plan] of plans.entries()) {
      const t = await streamed.resident(plan.hfName, state.get(plan.hfName) as Tensor);
      const bytes = encode(ggufLayout(plan.hfName, await f32Values(t), config), plan.type);
      const { byteLength, padding } = layout.tensors[i] as GgufLayoutEntry;
      if (bytes.byteLength !== byteLength)
        throw new Error(
          `internal: tensor "${plan.name}" encoded to ${bytes.byteLength} bytes, planned ${byteLength}`,
        );
      yield bytes;
      if (padding > 0) yield new Uint8Array(padding);
      options.onProgress?.(++done, plans.length);
    }
  }
  try {
    await sink.writeFile(fileName, chunks());
  } finally {
    streamed.releaseLast();
  }
}

type GgufLayoutEntry = ReturnType<typeof layoutGguf>['tensors'][number];

async function f32Values(t: Tensor): Promise<Float32Array> {
  const values = await data(t);
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

/** q/k weights and biases with their rows in llama.cpp's interleaved RoPE order; others as they are. */
function ggufLayout(hfName: string, values: Float32Array, config: LlamaConfig): Float32Array {
  const which = isRotaryProjection(hfName);
  if (!which) return values;
  const heads = which === 'q' ? config.numHeads : config.numKvHeads;
  const inFeatures = values.length / (heads * config.headDim);
  return halfToInterleavedRotary(values, heads, config.headDim, inFeatures);
}

function encode(f32: Float32Array, type: GgmlTypeName): Uint8Array {
  if (type === 'F32') return new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
  const half = type === 'F16' ? f32ToF16(f32) : f32ToBf16(f32);
  return new Uint8Array(half.buffer, half.byteOffset, half.byteLength);
}
