/**
 * Writes a random-weight Hugging Face checkpoint for a config.json: `config.json`, then
 * `model.safetensors` or `model-0000i-of-0000n.safetensors` shards with
 * `model.safetensors.index.json`, as `save_pretrained` lays them out. Values are generated while
 * the file is written, tensor by tensor and chunk by chunk (random-values.ts), so writing a 7B
 * model holds a few MiB of weights at a time, whatever its size. A byte-level tokenizer
 * (byte-tokenizer.ts) is written beside the weights, so that the folder loads and reads text like a
 * downloaded model.
 */
import { layoutSafetensors, planSafetensorsShards } from '../io/safetensors-writer.js';
import { numElements } from '../io/tensor-index.js';
import { dtypeOfTorchDtype, TORCH_DTYPE } from '../io/torch-dtype.js';
import type { OutputSink } from '../save/output-sink.js';
import { byteLevelTokenizerFiles } from './byte-tokenizer.js';
import { checkpointDims, checkpointLayout } from './checkpoint-layout.js';
import type { HfConfigJson } from './checkpoint-presets.js';
import { type RandomCheckpointDType, randomTensorChunks } from './random-values.js';

export interface RandomCheckpointOptions {
  /** Storage dtype. Default: the config's `torch_dtype` when F32/F16/BF16, else BF16. */
  dtype?: RandomCheckpointDType;
  /** Largest shard in bytes of tensor data (HF's `max_shard_size`). Default 5 GB, as HF. */
  maxShardBytes?: number;
  /** Seed of every tensor's stream. Default 0. */
  seed?: number;
  /** Standard deviation of the random weights and biases (norm weights are 1). Default 0.02. */
  std?: number;
  /** Write the byte-level tokenizer.json and tokenizer_config.json. Default true. */
  tokenizer?: boolean;
  /** Called after each tensor with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Writes the checkpoint into `sink` and returns the config.json written (the input with
 * `torch_dtype` set to the dtype used).
 */
export async function writeRandomCheckpoint(
  config: HfConfigJson,
  sink: OutputSink,
  options: RandomCheckpointOptions = {},
): Promise<HfConfigJson> {
  const dtype = options.dtype ?? dtypeOfTorchDtype(config.torch_dtype) ?? 'BF16';
  const seed = options.seed ?? 0;
  const std = options.std ?? 0.02;
  const tensors = checkpointLayout(checkpointDims(config));
  const init = new Map(tensors.map((t) => [t.name, t.init]));
  const specs = tensors.map((t) => ({ name: t.name, dtype, shape: t.shape }));
  const { shards, index } = planSafetensorsShards(specs, options.maxShardBytes ?? 5e9);
  const written = { ...config, torch_dtype: TORCH_DTYPE[dtype] };
  await sink.writeFile('config.json', jsonFile(written));
  if (options.tokenizer !== false) {
    const { tokenizerJson, tokenizerConfig } = byteLevelTokenizerFiles(written);
    await sink.writeFile('tokenizer.json', jsonFile(tokenizerJson));
    await sink.writeFile('tokenizer_config.json', jsonFile(tokenizerConfig));
  }
  let done = 0;
  for (const shard of shards) {
    const layout = layoutSafetensors(shard.tensors, { format: 'pt' });
    function* chunks(): Generator<Uint8Array> {
      yield layout.header;
      for (const entry of layout.entries) {
        const kind = init.get(entry.name) ?? 'normal';
        yield* randomTensorChunks(entry.name, numElements(entry.shape), kind, dtype, { seed, std });
        options.onProgress?.(++done, specs.length);
      }
    }
    await sink.writeFile(shard.fileName, chunks());
  }
  if (index) {
    const sorted = Object.fromEntries(
      Object.entries(index.weight_map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    await sink.writeFile(
      'model.safetensors.index.json',
      jsonFile({ ...index, weight_map: sorted }),
    );
  }
  return written;
}

function jsonFile(value: unknown): Uint8Array[] {
  return [new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`)];
}
