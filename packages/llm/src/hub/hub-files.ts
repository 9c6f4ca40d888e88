/**
 * Which files of a Hugging Face Hub repository a model needs: its config, its weights and its tokenizer, and
 * nothing else (repositories often also hold PyTorch .bin, ONNX or several GGUF quantisations).
 */

/** Tokenizer files, fetched when present. */
export const HUB_TOKENIZER_FILES = ['tokenizer.json', 'tokenizer.model', 'tokenizer_config.json'];
export const SAFETENSORS_INDEX = 'model.safetensors.index.json';

/** The files to fetch before the weight shards are known: what the repository decides. */
export type WeightsPlan =
  | { kind: 'safetensors'; files: string[] }
  | { kind: 'safetensors-index'; files: string[] }
  | { kind: 'gguf'; file: string }
  | { kind: 'none'; reason: string };

/** The plan for a repository whose files are `paths` (repo-relative). */
export function planWeights(paths: readonly string[]): WeightsPlan {
  const top = paths.filter((p) => !p.includes('/'));
  if (top.includes(SAFETENSORS_INDEX))
    return { kind: 'safetensors-index', files: [SAFETENSORS_INDEX] };
  if (top.includes('model.safetensors'))
    return { kind: 'safetensors', files: ['model.safetensors'] };
  const safetensors = top.filter((p) => p.endsWith('.safetensors'));
  if (safetensors.length > 0) return { kind: 'safetensors', files: safetensors.sort() };
  const ggufs = top.filter((p) => p.toLowerCase().endsWith('.gguf'));
  if (ggufs.length === 1) return { kind: 'gguf', file: ggufs[0] as string };
  if (ggufs.length > 1)
    return {
      kind: 'none',
      reason: `holds ${ggufs.length} .gguf files (${ggufs.slice(0, 4).join(', ')}${ggufs.length > 4 ? ', …' : ''}) and no safetensors`,
    };
  return { kind: 'none', reason: 'holds no .safetensors or .gguf weights' };
}

/** The shard names of a safetensors index (its `weight_map` values), checked to be plain names. */
export function indexShards(indexText: string, where: string): string[] {
  let map: unknown;
  try {
    map = (JSON.parse(indexText) as { weight_map?: unknown }).weight_map;
  } catch (e) {
    throw new Error(`${where}: not JSON (${(e as Error).message})`);
  }
  if (typeof map !== 'object' || map === null) throw new Error(`${where}: no "weight_map" object`);
  const shards = new Set<string>();
  for (const [tensor, file] of Object.entries(map)) {
    if (typeof file !== 'string' || !/^[^/\\]+\.safetensors$/.test(file))
      throw new Error(
        `${where}: weight_map["${tensor}"] is ${JSON.stringify(file)}, expected a .safetensors name`,
      );
    shards.add(file);
  }
  return [...shards].sort();
}
