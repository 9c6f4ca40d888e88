/**
 * safetensors writer and shard planner.
 *
 * The writer never concatenates tensor data: it returns the header bytes plus
 * the tensors' own arrays as chunks, so a caller can stream a multi-gigabyte
 * checkpoint to a file, an OPFS handle or a download without a second copy.
 * The header is padded with spaces to a multiple of 8 bytes, as the reference
 * (Rust) implementation does, so the data section starts 8-byte aligned.
 */

import type { SafetensorsShardIndex } from './safetensors-sharded.js';
import { DTYPE_BYTES, type DType, numElements } from './tensor-index.js';

/** Name, dtype and shape of a tensor to be written. */
export interface TensorSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/** A tensor to be written, with its little-endian bytes. */
export interface TensorToWrite extends TensorSpec {
  readonly data: Uint8Array;
}

/** Where each tensor lands, relative to the start of the data section. */
export interface SafetensorsLayout {
  /** `u64 length` + JSON header + padding; write this first. */
  readonly header: Uint8Array;
  /** Tensors in the order their data must follow the header. */
  readonly entries: readonly (TensorSpec & { readonly begin: number; readonly end: number })[];
  /** Total file size in bytes. */
  readonly fileSize: number;
}

/** Bytes a tensor of this spec occupies. */
export function tensorByteLength(spec: TensorSpec): number {
  return numElements(spec.shape) * DTYPE_BYTES[spec.dtype];
}

/**
 * Lays out a safetensors file without needing the data yet (stream data later
 * in `entries` order). Tensors are ordered by element size, largest first
 * (stable within a size), so every tensor starts aligned to its element size.
 */
export function layoutSafetensors(
  specs: readonly TensorSpec[],
  metadata?: Record<string, string>,
): SafetensorsLayout {
  const seen = new Set<string>();
  for (const spec of specs) {
    if (spec.name === '__metadata__')
      throw new Error('safetensors: "__metadata__" is reserved and cannot name a tensor');
    if (seen.has(spec.name)) throw new Error(`safetensors: duplicate tensor name "${spec.name}"`);
    seen.add(spec.name);
    if (!spec.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(
        `safetensors: tensor "${spec.name}" has invalid shape ${JSON.stringify(spec.shape)}`,
      );
    }
  }
  const ordered = specs
    .map((spec, i) => ({ spec, i }))
    .sort((a, b) => DTYPE_BYTES[b.spec.dtype] - DTYPE_BYTES[a.spec.dtype] || a.i - b.i)
    .map(({ spec }) => spec);

  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const entries: (TensorSpec & { begin: number; end: number })[] = [];
  let offset = 0;
  for (const spec of ordered) {
    const end = offset + tensorByteLength(spec);
    header[spec.name] = { dtype: spec.dtype, shape: [...spec.shape], data_offsets: [offset, end] };
    entries.push({ name: spec.name, dtype: spec.dtype, shape: spec.shape, begin: offset, end });
    offset = end;
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const headerBytes = new Uint8Array(8 + padded).fill(0x20); // pad with spaces
  new DataView(headerBytes.buffer).setBigUint64(0, BigInt(padded), true);
  headerBytes.set(json, 8);
  return { header: headerBytes, entries, fileSize: headerBytes.byteLength + offset };
}

/**
 * Serialises tensors as a safetensors file, returned as chunks to write in
 * order (the header, then each tensor's own `data` array, not copied).
 */
export function writeSafetensors(
  tensors: readonly TensorToWrite[],
  metadata?: Record<string, string>,
): Uint8Array[] {
  for (const t of tensors) {
    const expected = tensorByteLength(t);
    if (t.data.byteLength !== expected) {
      throw new Error(
        `safetensors: tensor "${t.name}" shape ${JSON.stringify(t.shape)} × ${t.dtype} needs ${expected} bytes, got ${t.data.byteLength}`,
      );
    }
  }
  const layout = layoutSafetensors(tensors, metadata);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  return [layout.header, ...layout.entries.map((e) => (byName.get(e.name) as TensorToWrite).data)];
}

/** Concatenates chunks into one array (small files and tests). */
export function concatChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** One output file of a sharded checkpoint. */
export interface ShardPlan {
  readonly fileName: string;
  readonly tensors: readonly TensorSpec[];
  readonly byteLength: number;
}

/**
 * Splits tensors into shards of at most `maxShardBytes` of tensor data (a
 * single tensor larger than that gets a shard of its own), named like
 * Hugging Face's `save_pretrained`: `model-00001-of-00003.safetensors`.
 * With one shard the file is `model.safetensors` and `index` is undefined;
 * otherwise write `index` as `model.safetensors.index.json`.
 */
export function planSafetensorsShards(
  specs: readonly TensorSpec[],
  maxShardBytes: number,
  prefix = 'model',
): { shards: ShardPlan[]; index?: SafetensorsShardIndex } {
  if (!(maxShardBytes > 0))
    throw new Error(`safetensors: maxShardBytes must be positive, got ${maxShardBytes}`);
  const groups: { tensors: TensorSpec[]; byteLength: number }[] = [];
  let current: { tensors: TensorSpec[]; byteLength: number } | undefined;
  for (const spec of specs) {
    const size = tensorByteLength(spec);
    if (!current || (current.tensors.length > 0 && current.byteLength + size > maxShardBytes)) {
      current = { tensors: [], byteLength: 0 };
      groups.push(current);
    }
    current.tensors.push(spec);
    current.byteLength += size;
  }
  if (groups.length <= 1) {
    return {
      shards: [
        {
          fileName: `${prefix}.safetensors`,
          tensors: groups[0]?.tensors ?? [],
          byteLength: groups[0]?.byteLength ?? 0,
        },
      ],
    };
  }
  const count = String(groups.length).padStart(5, '0');
  const shards = groups.map((g, i) => ({
    fileName: `${prefix}-${String(i + 1).padStart(5, '0')}-of-${count}.safetensors`,
    tensors: g.tensors,
    byteLength: g.byteLength,
  }));
  const weightMap: Record<string, string> = {};
  for (const shard of shards) for (const t of shard.tensors) weightMap[t.name] = shard.fileName;
  const totalSize = shards.reduce((n, s) => n + s.byteLength, 0);
  return { shards, index: { metadata: { total_size: totalSize }, weight_map: weightMap } };
}
