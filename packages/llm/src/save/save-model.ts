import type { Module } from '@llm-streamline/autograd';
import { bytes, data, f32ToBf16, f32ToF16, type Tensor } from '@llm-streamline/tensor';
import { configForLayers } from '../config/layer-types.js';
import { type LlamaConfig, toHfConfig } from '../config/llama-config.js';
import {
  layoutSafetensors,
  planSafetensorsShards,
  type TensorSpec,
} from '../io/safetensors-writer.js';
import { TORCH_DTYPE } from '../io/torch-dtype.js';
import { FILE_ENCODING } from '../load/weights-dtype.js';
import { LlamaDecoderLayer } from '../model/llama-decoder-layer.js';
import type { LlamaForCausalLM } from '../model/llama-model.js';
import type { OutputSink } from './output-sink.js';

export type SaveDType = 'F32' | 'F16' | 'BF16';

export interface SaveOptions {
  /** Storage dtype of the weights. Default F32. */
  dtype?: SaveDType;
  /** Largest shard in bytes; bigger models are split as HF's save_pretrained does. Default 5 GB. */
  maxShardBytes?: number;
  /** Files copied verbatim beside the weights (tokenizer.json, tokenizer.model, …). */
  extraFiles?: ReadonlyMap<string, Uint8Array>;
  /** Called after each tensor with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Saves a model as a standard Hugging Face checkpoint of its architecture (LLaMA, Mistral, Qwen2):
 * config.json (the loaded file's fields, with the current number of layers and the per-layer
 * fields of the layers kept), model.safetensors or shards with an index, and the extra files. Layers that are not
 * LLaMA decoder layers are written through their `asLlamaLayer()` encoding; one that has none
 * stops the save before anything is written. Tensors are downloaded and written one at a time.
 */
export async function saveHfModel(
  model: LlamaForCausalLM,
  sink: OutputSink,
  options: SaveOptions = {},
): Promise<void> {
  const dtype = options.dtype ?? 'F32';
  const state = checkpointTensors(model);
  const specs: TensorSpec[] = [...state].map(([name, t]) => ({ name, dtype, shape: t.shape }));
  const { shards, index } = planSafetensorsShards(specs, options.maxShardBytes ?? 5e9);
  const config = toHfConfig(savedConfig(model), TORCH_DTYPE[dtype]);
  await sink.writeFile('config.json', [
    new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`),
  ]);
  let done = 0;
  const streamed = new StreamedUnits(model);
  try {
    for (const shard of shards) {
      const layout = layoutSafetensors(shard.tensors, { format: 'pt' });
      async function* chunks(): AsyncGenerator<Uint8Array> {
        yield layout.header;
        for (const entry of layout.entries) {
          const t = await streamed.resident(entry.name, state.get(entry.name) as Tensor);
          yield await tensorBytes(t, dtype);
          options.onProgress?.(++done, specs.length);
        }
      }
      await sink.writeFile(shard.fileName, chunks());
    }
  } finally {
    streamed.releaseLast();
  }
  if (index)
    await sink.writeFile('model.safetensors.index.json', [
      new TextEncoder().encode(`${JSON.stringify(index, null, 2)}\n`),
    ]);
  for (const [name, bytes] of options.extraFiles ?? []) await sink.writeFile(name, [bytes]);
}

/** The configuration of the model as its layer list now stands (see configForLayers). */
export function savedConfig(model: LlamaForCausalLM): LlamaConfig {
  const sources = [...model.layers].map((layer) =>
    layer instanceof LlamaDecoderLayer ? layer.layerIndex : undefined,
  );
  return configForLayers(model.config, sources);
}

/** Every tensor of the checkpoint under its HF name, layers renumbered in list order. */
export function checkpointTensors(model: LlamaForCausalLM): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  out.set('model.embed_tokens.weight', model.model.embedTokens.weight.value);
  let i = 0;
  for (const layer of model.layers) {
    const tensors = layer instanceof LlamaDecoderLayer ? layer.stateDict() : layer.asLlamaLayer?.();
    if (!tensors || !(tensors instanceof Map)) {
      const why =
        tensors && 'reason' in tensors ? tensors.reason : 'it has no LLaMA decoder-layer encoding';
      throw new Error(
        `layer ${i} (${layer.constructor.name}) cannot be saved as a LLaMA decoder layer: ${why}`,
      );
    }
    for (const [name, t] of tensors) out.set(`model.layers.${i}.${name}`, t);
    i++;
  }
  out.set('model.norm.weight', model.model.norm.weight.value);
  if (model.lmHead) out.set('lm_head.weight', model.lmHead.value);
  return out;
}

/**
 * Saving a model that streams its weights: a tensor of a streamed unit (a layer, the embedding,
 * the head) is a placeholder until its unit is fetched. Fetching on first use and releasing when
 * the next tensor belongs to another unit fetches each unit once, as safetensors' sorted names
 * keep a unit's tensors together, and holds one unit at a time.
 */
export class StreamedUnits {
  private last: Module | undefined;

  constructor(private readonly model: LlamaForCausalLM) {}

  /** The tensor saved as `name`: `placeholder` itself unless its unit streams. */
  async resident(name: string, placeholder: Tensor): Promise<Tensor> {
    const stream = this.model.weightStream;
    const unit = stream ? this.unitOf(name) : undefined;
    if (!stream || !unit || !stream.isStreamed(unit)) return placeholder;
    if (unit !== this.last) {
      this.releaseLast();
      await stream.fetch(unit);
      this.last = unit;
    }
    const layer = LAYER_TENSOR.exec(name);
    if (layer) return unit.stateDict().get(layer[2] as string) as Tensor;
    return unit.stateDict().get('weight') as Tensor;
  }

  releaseLast(): void {
    if (this.last) this.model.weightStream?.release(this.last);
    this.last = undefined;
  }

  private unitOf(name: string): Module | undefined {
    const layer = LAYER_TENSOR.exec(name);
    if (layer) return this.model.layers.at(Number(layer[1]));
    if (name === 'model.embed_tokens.weight') return this.model.model.embedTokens;
    if (name === 'lm_head.weight') return this.model.headModule;
    return undefined;
  }
}

const LAYER_TENSOR = /^model\.layers\.(\d+)\.(.+)$/;

/**
 * A tensor's bytes in the file's dtype. One held in that dtype already (a 16-bit weight written
 * back as it was loaded) is downloaded as it is stored: no f32 copy of it exists on the way.
 */
async function tensorBytes(t: Tensor, dtype: SaveDType): Promise<Uint8Array> {
  if (t.dtype === FILE_ENCODING[dtype]) return bytes(t);
  return encode(await data(t), dtype);
}

function encode(values: Float32Array | Int32Array | Uint32Array, dtype: SaveDType): Uint8Array {
  const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
  if (dtype === 'F32') return new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength);
  const half = dtype === 'F16' ? f32ToF16(f32) : f32ToBf16(f32);
  return new Uint8Array(half.buffer, half.byteOffset, half.byteLength);
}
