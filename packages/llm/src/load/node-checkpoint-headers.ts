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
import { hfNameFromGguf, hfNameFromLlama2c } from '../io/weight-names.js';
import { assertConfigFitsTensors } from './config-bounds.js';
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
      const tensors = [...checkpoint.tensors.values()];
      assertConfigFitsTensors(
        config,
        named(tensors, (n) => n),
        `${path}/config.json`,
      );
      return { config, tensors };
    } finally {
      await closeCheckpoint(checkpoint);
    }
  }
  const source = await openFileByteSource(path, path);
  try {
    if (format === 'gguf') {
      const gguf = await parseGguf(source);
      const config = llamaConfigFromGguf(gguf);
      const tensors = [...gguf.tensors.values()];
      assertConfigFitsTensors(config, named(tensors, hfNameFromGguf), `the metadata of ${path}`);
      return { config, tensors };
    }
    const checkpoint = await parseLlama2cCheckpoint(source);
    const config = llamaConfigFromLlama2c(checkpoint.header, path);
    const tensors = [...checkpoint.tensors.values()];
    assertConfigFitsTensors(config, named(tensors, hfNameFromLlama2c), `the header of ${path}`);
    return { config, tensors };
  } finally {
    await source.close?.();
  }
}

/** Records under their HF names; those with none (RoPE tables) left out. */
function named(tensors: readonly TensorRecord[], toHf: (name: string) => string | undefined) {
  return tensors.flatMap((record) => {
    const hfName = toHf(record.name);
    return hfName === undefined ? [] : [{ hfName, record }];
  });
}
