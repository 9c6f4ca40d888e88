/**
 * Sharded safetensors checkpoints: `model.safetensors.index.json` maps each
 * tensor name to a shard file (`weight_map`). Every referenced shard is opened
 * and parsed, and the union becomes one TensorIndex.
 */
import type { ByteSource } from './byte-source.js';
import type { ModelDirectory } from './model-directory.js';
import { readJsonFile } from './model-directory.js';
import { parseSafetensors } from './safetensors.js';
import type { TensorIndex, TensorRecord } from './tensor-index.js';

export const SAFETENSORS_SINGLE_FILE = 'model.safetensors';
export const SAFETENSORS_INDEX_FILE = 'model.safetensors.index.json';

/** Content of `model.safetensors.index.json`. */
export interface SafetensorsShardIndex {
  metadata?: { total_size?: number; [key: string]: unknown };
  weight_map: Record<string, string>;
}

/** A checkpoint assembled from one or more safetensors files. */
export interface SafetensorsCheckpoint extends TensorIndex {
  /** The opened files; close them with `closeCheckpoint`. */
  readonly sources: readonly ByteSource[];
}

/** Validates the shape of a parsed index JSON, naming `fileName` in errors. */
export function parseShardIndex(json: unknown, fileName: string): SafetensorsShardIndex {
  if (typeof json !== 'object' || json === null)
    throw new Error(`${fileName}: expected a JSON object`);
  const weightMap = (json as Record<string, unknown>).weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new Error(`${fileName}: missing "weight_map" object`);
  }
  for (const [tensor, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || shard === '') {
      throw new Error(`${fileName}: weight_map["${tensor}"] must be a shard file name`);
    }
  }
  return json as SafetensorsShardIndex;
}

/**
 * Opens every shard named in `index` and checks that each tensor is in the
 * shard the index says (and that shards hold no unlisted tensors).
 * @param openShard resolves a shard file name; `undefined` means missing.
 */
export async function openShardedSafetensors(
  index: SafetensorsShardIndex,
  indexName: string,
  openShard: (fileName: string) => Promise<ByteSource | undefined>,
): Promise<SafetensorsCheckpoint> {
  const shardNames = [...new Set(Object.values(index.weight_map))];
  const sources: ByteSource[] = [];
  const tensors = new Map<string, TensorRecord>();
  const metadata: Record<string, string> = {};
  try {
    for (const shardName of shardNames) {
      const source = await openShard(shardName);
      if (!source)
        throw new Error(`${indexName}: shard "${shardName}" listed in weight_map is missing`);
      sources.push(source);
      const shard = await parseSafetensors(source);
      Object.assign(metadata, shard.metadata);
      for (const [name, record] of shard.tensors) {
        const expectedShard = index.weight_map[name];
        if (expectedShard !== shardName) {
          throw new Error(
            expectedShard === undefined
              ? `${indexName}: tensor "${name}" in shard "${shardName}" is not listed in weight_map`
              : `${indexName}: tensor "${name}" found in shard "${shardName}" but weight_map says "${expectedShard}"`,
          );
        }
        tensors.set(name, record);
      }
    }
    for (const [name, shardName] of Object.entries(index.weight_map)) {
      if (!tensors.has(name))
        throw new Error(`${indexName}: tensor "${name}" not found in shard "${shardName}"`);
    }
  } catch (error) {
    await Promise.all(sources.map((s) => s.close?.()));
    throw error;
  }
  return { tensors, metadata, sources };
}

/**
 * Opens the safetensors checkpoint of a model directory: the sharded index if
 * present, else `model.safetensors`.
 */
export async function openSafetensorsCheckpoint(
  dir: ModelDirectory,
): Promise<SafetensorsCheckpoint> {
  const indexJson = await readJsonFile(dir, SAFETENSORS_INDEX_FILE);
  if (indexJson !== undefined) {
    const indexName = `${dir.name}/${SAFETENSORS_INDEX_FILE}`;
    return openShardedSafetensors(parseShardIndex(indexJson, indexName), indexName, (shard) =>
      dir.open(shard),
    );
  }
  const source = await dir.open(SAFETENSORS_SINGLE_FILE);
  if (!source)
    throw new Error(
      `${dir.name}: neither ${SAFETENSORS_INDEX_FILE} nor ${SAFETENSORS_SINGLE_FILE} found`,
    );
  try {
    const file = await parseSafetensors(source);
    return { tensors: file.tensors, metadata: file.metadata, sources: [source] };
  } catch (error) {
    await source.close?.();
    throw error;
  }
}

/** Closes every file of a checkpoint. */
export async function closeCheckpoint(checkpoint: {
  sources: readonly ByteSource[];
}): Promise<void> {
  await Promise.all(checkpoint.sources.map((s) => s.close?.()));
}
