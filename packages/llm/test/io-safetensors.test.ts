import { readFixture } from '@llm-streamline/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesByteSource } from '../src/io/byte-source.js';
import { memoryModelDirectory } from '../src/io/model-directory.js';
import { parseSafetensors } from '../src/io/safetensors.js';
import {
  openSafetensorsCheckpoint,
  SAFETENSORS_INDEX_FILE,
} from '../src/io/safetensors-sharded.js';
import {
  concatChunks,
  layoutSafetensors,
  planSafetensorsShards,
  type TensorToWrite,
  writeSafetensors,
} from '../src/io/safetensors-writer.js';
import { getTensor } from '../src/io/tensor-index.js';
import { readTensorBytes, readTensorF32 } from '../src/io/tensor-read.js';

const FILE = 'model.safetensors';
let original: Uint8Array;

beforeAll(async () => {
  original = await readFixture('tinystories-12L/model.safetensors');
});

/** Splits a safetensors file into its parsed JSON header and its data section. */
// biome-ignore lint/suspicious/noExplicitAny: tests poke at arbitrary header fields
type Header = Record<string, any>;

function split(bytes: Uint8Array): { header: Header; data: Uint8Array } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  return { header, data: bytes.subarray(8 + length) };
}

/** Re-assembles a file from a (mutated) header object or raw header text, and a data section. */
function assemble(header: Record<string, unknown> | string, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(
    typeof header === 'string' ? header : JSON.stringify(header),
  );
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function corrupt(mutate: (header: Header) => void): Uint8Array {
  const { header, data } = split(original);
  mutate(header);
  return assemble(header, data);
}

/** Fast byte equality (vitest's deep equality is very slow on megabyte arrays). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const parse = (bytes: Uint8Array, name = FILE) => parseSafetensors(bytesByteSource(bytes, name));

describe('parseSafetensors on tinystories-12L', () => {
  it('indexes every tensor with absolute offsets', async () => {
    const file = await parse(original);
    expect(file.tensors.size).toBe(110);
    expect(file.metadata).toEqual({ format: 'pt' });
    const embed = getTensor(file, 'model.embed_tokens.weight');
    expect(embed).toMatchObject({
      dtype: 'F32',
      shape: [512, 128],
      byteOffset: file.dataOffset,
      byteLength: 512 * 128 * 4,
    });
    expect(getTensor(file, 'model.layers.11.self_attn.k_proj.weight').shape).toEqual([64, 128]);
    expect(getTensor(file, 'model.layers.3.mlp.down_proj.weight').shape).toEqual([128, 352]);
    const last = [...file.tensors.values()][file.tensors.size - 1];
    expect(last.byteOffset + last.byteLength).toBe(original.length);
    const total = [...file.tensors.values()].reduce((n, t) => n + t.byteLength / 4, 0);
    expect(total).toBe(2_280_576);
  });

  it('reads tensor values', async () => {
    const file = await parse(original);
    const norm = await readTensorF32(getTensor(file, 'model.norm.weight'));
    expect(norm.length).toBe(128);
    const raw = await readTensorBytes(getTensor(file, 'model.norm.weight'));
    expect(new Float32Array(raw.slice().buffer)).toEqual(norm);
    expect(norm.every(Number.isFinite)).toBe(true);
  });
});

describe('parseSafetensors rejects corrupt files with precise errors', () => {
  it('truncated file: names the file and the tensor past the end', async () => {
    await expect(parse(original.subarray(0, original.length - 100))).rejects.toThrow(
      /model\.safetensors: tensor "model\.norm\.weight".*past the end/,
    );
  });

  it('file shorter than the length prefix', async () => {
    await expect(parse(original.subarray(0, 5))).rejects.toThrow(
      /model\.safetensors: not a safetensors file/,
    );
  });

  it('header length larger than the file', async () => {
    const bytes = original.slice();
    new DataView(bytes.buffer).setBigUint64(0, 1n << 40n, true);
    await expect(parse(bytes)).rejects.toThrow(
      /model\.safetensors: safetensors header length \d+ is too large/,
    );
  });

  it('invalid JSON', async () => {
    const bytes = assemble('{"model.norm.weight": {"dtype": "F32",', split(original).data);
    await expect(parse(bytes)).rejects.toThrow(
      /model\.safetensors: safetensors header is not valid UTF-8 JSON/,
    );
  });

  it('shape × dtype does not match the byte range', async () => {
    const bytes = corrupt((h) => {
      h['model.layers.2.self_attn.q_proj.weight'].shape = [128, 127];
    });
    await expect(parse(bytes)).rejects.toThrow(
      /model\.safetensors: tensor "model\.layers\.2\.self_attn\.q_proj\.weight": shape \[128,127\] × F32 needs 65024 bytes/,
    );
  });

  it('unknown dtype', async () => {
    const bytes = corrupt((h) => {
      h['model.norm.weight'].dtype = 'F8';
    });
    await expect(parse(bytes)).rejects.toThrow(/tensor "model\.norm\.weight": unknown dtype "F8"/);
  });

  it('overlapping tensors', async () => {
    const bytes = corrupt((h) => {
      h['model.layers.0.self_attn.k_proj.weight'].data_offsets = [262144 + 4, 262144 + 4 + 32768];
    });
    await expect(parse(bytes)).rejects.toThrow(
      /model\.safetensors: tensors ".*" .* and "model\.layers\.0\.self_attn\.k_proj\.weight".* overlap/,
    );
  });

  it('bad data_offsets and non-string metadata', async () => {
    await expect(
      parse(corrupt((h) => (h['model.norm.weight'].data_offsets = [10, 5]))),
    ).rejects.toThrow(/tensor "model\.norm\.weight": data_offsets \[10,5\]/);
    await expect(parse(corrupt((h) => (h.__metadata__ = { format: 1 })))).rejects.toThrow(
      /__metadata__\["format"\] must be a string/,
    );
  });

  it('accepts integer dtypes but refuses to load them as float weights', async () => {
    const bytes = corrupt((h) => {
      h['model.norm.weight'].dtype = 'I32';
    });
    const file = await parse(bytes);
    await expect(readTensorF32(getTensor(file, 'model.norm.weight'))).rejects.toThrow(
      /model\.safetensors: tensor "model\.norm\.weight" has dtype I32/,
    );
  });
});

describe('writeSafetensors', () => {
  async function tensorsOf(bytes: Uint8Array): Promise<TensorToWrite[]> {
    const file = await parse(bytes);
    return Promise.all(
      [...file.tensors.values()].map(async (t) => ({
        name: t.name,
        dtype: t.dtype,
        shape: t.shape,
        data: await readTensorBytes(t),
      })),
    );
  }

  it('round-trips the real model: identical names, shapes and bytes', async () => {
    const tensors = await tensorsOf(original);
    const written = concatChunks(writeSafetensors(tensors, { format: 'pt' }));
    const headerLength = Number(new DataView(written.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    expect(written[8 + headerLength - 1] === 0x20 || written[8 + headerLength - 1] === 0x7d).toBe(
      true,
    );
    const reparsed = await parse(written, 'written.safetensors');
    expect(reparsed.metadata).toEqual({ format: 'pt' });
    expect([...reparsed.tensors.keys()]).toEqual(tensors.map((t) => t.name));
    for (const t of tensors) {
      const r = getTensor(reparsed, t.name);
      expect(r.shape).toEqual(t.shape);
      expect(sameBytes(await readTensorBytes(r), t.data)).toBe(true);
    }
    // Writing what was read gives the very same file.
    expect(
      sameBytes(
        concatChunks(writeSafetensors(await tensorsOf(written), { format: 'pt' })),
        written,
      ),
    ).toBe(true);
    // The data section is exactly the original's (same order, no gaps).
    expect(sameBytes(split(written).data, split(original).data)).toBe(true);
  });

  it('orders larger elements first so every tensor is aligned', async () => {
    const tensors: TensorToWrite[] = [
      { name: 'a.f16', dtype: 'F16', shape: [3], data: new Uint8Array(6) },
      { name: 'b.f32', dtype: 'F32', shape: [2], data: new Uint8Array(8) },
      { name: 'c.u8', dtype: 'U8', shape: [1], data: new Uint8Array(1) },
    ];
    const layout = layoutSafetensors(tensors);
    expect(layout.entries.map((e) => [e.name, e.begin, e.end])).toEqual([
      ['b.f32', 0, 8],
      ['a.f16', 8, 14],
      ['c.u8', 14, 15],
    ]);
    expect(layout.header.length % 8).toBe(0);
    const file = await parse(concatChunks(writeSafetensors(tensors)), 'x.safetensors');
    expect(file.metadata).toEqual({});
    expect(getTensor(file, 'b.f32').byteOffset % 8).toBe(0);
  });

  it('rejects data whose size does not match the shape, and duplicate names', () => {
    expect(() =>
      writeSafetensors([{ name: 'w', dtype: 'F32', shape: [2, 2], data: new Uint8Array(12) }]),
    ).toThrow(/tensor "w" shape \[2,2\] × F32 needs 16 bytes, got 12/);
    const t = { name: 'w', dtype: 'U8' as const, shape: [1], data: new Uint8Array(1) };
    expect(() => writeSafetensors([t, t])).toThrow(/duplicate tensor name "w"/);
  });
});

describe('sharded safetensors', () => {
  async function shardedDirectory() {
    const file = await parse(original);
    const tensors = await Promise.all(
      [...file.tensors.values()].map(async (t) => ({
        name: t.name,
        dtype: t.dtype,
        shape: t.shape,
        data: await readTensorBytes(t),
      })),
    );
    const plan = planSafetensorsShards(tensors, 3_000_000);
    const files: Record<string, Uint8Array> = {};
    const byName = new Map(tensors.map((t) => [t.name, t]));
    for (const shard of plan.shards) {
      files[shard.fileName] = concatChunks(
        writeSafetensors(shard.tensors.map((s) => byName.get(s.name) as TensorToWrite)),
      );
    }
    files[SAFETENSORS_INDEX_FILE] = new TextEncoder().encode(JSON.stringify(plan.index));
    return { plan, files, tensors };
  }

  it('plans shards under the size limit with HF names and an index', async () => {
    const { plan, tensors } = await shardedDirectory();
    expect(plan.shards.map((s) => s.fileName)).toEqual([
      'model-00001-of-00004.safetensors',
      'model-00002-of-00004.safetensors',
      'model-00003-of-00004.safetensors',
      'model-00004-of-00004.safetensors',
    ]);
    for (const s of plan.shards) expect(s.byteLength).toBeLessThanOrEqual(3_000_000);
    expect(plan.index?.metadata?.total_size).toBe(original.length - 8 - 11704);
    expect(Object.keys(plan.index?.weight_map ?? {})).toHaveLength(tensors.length);
    expect(planSafetensorsShards(tensors, 1e9).shards.map((s) => s.fileName)).toEqual([
      'model.safetensors',
    ]);
    // A tensor bigger than the limit gets a shard of its own.
    expect(planSafetensorsShards(tensors.slice(0, 3), 1000).shards).toHaveLength(3);
  });

  it('opens all shards as one index with the original bytes', async () => {
    const { files, tensors } = await shardedDirectory();
    const checkpoint = await openSafetensorsCheckpoint(memoryModelDirectory(files, 'sharded'));
    expect(checkpoint.sources).toHaveLength(4);
    expect(checkpoint.tensors.size).toBe(110);
    for (const t of [tensors[0], tensors[57], tensors[tensors.length - 1]]) {
      expect(sameBytes(await readTensorBytes(getTensor(checkpoint, t.name)), t.data)).toBe(true);
    }
  });

  it('each shard must tile its own data section: junk after one names that shard', async () => {
    const { files } = await shardedDirectory();
    const name = 'model-00002-of-00004.safetensors';
    const shard = files[name] as Uint8Array;
    const longer = new Uint8Array(shard.length + 3);
    longer.set(shard);
    files[name] = longer;
    await expect(openSafetensorsCheckpoint(memoryModelDirectory(files, 'sharded'))).rejects.toThrow(
      /^sharded\/model-00002-of-00004\.safetensors: 3 bytes after the last tensor's data/,
    );
  });

  it('a missing shard is an error naming it', async () => {
    const { files } = await shardedDirectory();
    delete files['model-00003-of-00004.safetensors'];
    await expect(openSafetensorsCheckpoint(memoryModelDirectory(files, 'sharded'))).rejects.toThrow(
      /model\.safetensors\.index\.json: shard "model-00003-of-00004\.safetensors" listed in weight_map is missing/,
    );
  });

  it('a weight_map entry pointing to the wrong shard is an error naming the tensor', async () => {
    const { files, plan } = await shardedDirectory();
    const index = structuredClone(plan.index);
    if (!index) throw new Error('expected a sharded plan');
    index.weight_map['model.norm.weight'] = 'model-00001-of-00004.safetensors';
    files[SAFETENSORS_INDEX_FILE] = new TextEncoder().encode(JSON.stringify(index));
    await expect(openSafetensorsCheckpoint(memoryModelDirectory(files, 'sharded'))).rejects.toThrow(
      /tensor "model\.norm\.weight" found in shard "model-00004-of-00004\.safetensors" but weight_map says "model-00001-of-00004\.safetensors"/,
    );
  });

  it('single-file directories and directories without weights', async () => {
    const checkpoint = await openSafetensorsCheckpoint(
      memoryModelDirectory({ 'model.safetensors': original }, 'single'),
    );
    expect(checkpoint.tensors.size).toBe(110);
    await expect(openSafetensorsCheckpoint(memoryModelDirectory({}, 'empty'))).rejects.toThrow(
      /empty: neither/,
    );
  });
});
