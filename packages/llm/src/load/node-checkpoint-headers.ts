/**
 * Node-only: what a checkpoint holds, read from its headers alone (no weights, no GPU), for
 * describing a model before loading it.
 */
import { llamaConfigFromGguf } from '../config/gguf-config.js';
import type { LlamaConfig } from '../config/llama-config.js';
import { llamaConfigFromLlama2c } from '../config/llama2c-config.js';
import { parseGguf } from '../io/gguf.js';
import { parseLlama2cCheckpoint } from '../io/llama2c.js';
import { openFileByteSource } from '../io/node-byte-source.js';
import { nodeModelDirectory } from '../io/node-model-directory.js';
import { closeCheckpoint, openSafetensorsCheckpoint } from '../io/safetensors-sharded.js';
import type { TensorRecord } from '../io/tensor-index.js';
import { type ModelFormat, readHfConfig } from './load-model.js';

/** A checkpoint's configuration and the records of its stored tensors. */
export interface CheckpointHeaders {
  config: LlamaConfig;
  /**
   * Every stored tensor under its name in the file (RoPE tables included), in file order. The
   * files are closed again: use the names, shapes and dtypes, not the bytes.
   */
  tensors: TensorRecord[];
}

/**
 * Reads the configuration and the tensor headers of the model at `path`, stored in `format`
 * (see `detectModelFormat`). Reads no weights.
 */
export async function readCheckpointHeaders(
  path: string,
  format: ModelFormat,
): Promise<CheckpointHeaders> {
  if (format === 'huggingface') {
    const dir = nodeModelDirectory(path);
    const config = await readHfConfig(dir);
    const checkpoint = await openSafetensorsCheckpoint(dir);
    try {
      return { config, tensors: [...checkpoint.tensors.values()] };
    } finally {
      await closeCheckpoint(checkpoint);
    }
  }
  const source = await openFileByteSource(path, path);
  try {
    if (format === 'gguf') {
      const gguf = await parseGguf(source);
      return { config: llamaConfigFromGguf(gguf), tensors: [...gguf.tensors.values()] };
    }
    const checkpoint = await parseLlama2cCheckpoint(source);
    const config = llamaConfigFromLlama2c(checkpoint.header, path);
    return { config, tensors: [...checkpoint.tensors.values()] };
  } finally {
    await source.close?.();
  }
}
