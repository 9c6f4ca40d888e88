/**
 * Seeded mutations of checkpoint files, by class, for the loader fuzz test (fuzz-checkpoints.test.ts)
 * and its long version (`npm run fuzz`). Mutant `i` of a format depends only on the seed file,
 * the run's seed and `i`, so any mutant can be rebuilt alone to reproduce a failure.
 *
 * The classes aim at what the loaders must catch before computing: structure (byte flips in the
 * header, truncation, junk appended, lengths and counts edited, tensor offsets and types edited)
 * and numbers (NaN, ±Inf or huge values written into a weight, byte flips in the data).
 */

/** The three checkpoint formats. */
export type FuzzFormat = 'safetensors' | 'gguf' | 'llama2c';

/** A mutation class: its name and how it edits a copy of the seed file. */
export interface MutationClass {
  name: string;
  mutate(bytes: Uint8Array, rng: () => number, fields: FileFields): Uint8Array;
}

/** Where a seed file's editable fields are (byte offsets), found by walking its header once. */
export interface FileFields {
  /** End of the header / metadata (start of the tensor data). */
  dataStart: number;
  /** u64 length fields (safetensors header length; GGUF string and array lengths). */
  lengths: number[];
  /** Count fields and their widths (GGUF tensor/KV counts and n_dims; llama2.c header ints). */
  counts: { at: number; bytes: 4 | 8 }[];
  /** u64 tensor data offsets (GGUF). */
  offsets: number[];
  /** u32 tensor types (GGUF). */
  types: number[];
}

/** The seed of mutant `index` of `format` in a run seeded `seed`. */
export function mutantSeed(seed: number, format: FuzzFormat, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const c of `${format}:${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

const int = (rng: () => number, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: () => number, list: readonly T[]): T => list[int(rng, list.length)] as T;

/** Interesting replacements for a count or length: off by one, zero, huge, sign flipped. */
function editedCount(old: bigint, rng: () => number, bits: 32 | 64): bigint {
  const max = bits === 32 ? 0x7fffffffn : 0xffffffffffffffffn;
  const choices = [
    old + 1n,
    old - 1n,
    0n,
    old * 2n,
    max,
    bits === 32 ? 0xffffffffn : 0x7fffffffn,
    100000n,
    BigInt(int(rng, 1 << 16)),
  ];
  const v = pick(rng, choices);
  return v < 0n ? 0n : v & (bits === 32 ? 0xffffffffn : 0xffffffffffffffffn);
}

function writeUint(bytes: Uint8Array, at: number, width: 4 | 8, value: bigint): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (width === 4) view.setUint32(at, Number(value & 0xffffffffn), true);
  else view.setBigUint64(at, value, true);
}

function readUint(bytes: Uint8Array, at: number, width: 4 | 8): bigint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return width === 4 ? BigInt(view.getUint32(at, true)) : view.getBigUint64(at, true);
}

const flipBytes = (from: number, to: number) => (bytes: Uint8Array, rng: () => number) => {
  const out = bytes.slice();
  const flips = 1 + int(rng, 4);
  for (let k = 0; k < flips; k++) out[from + int(rng, Math.max(1, to - from))] ^= 1 << int(rng, 8);
  return out;
};

/** The classes every format shares. */
function commonClasses(): MutationClass[] {
  return [
    {
      name: 'header-byte-flip',
      mutate: (bytes, rng, f) => flipBytes(0, f.dataStart)(bytes, rng),
    },
    {
      name: 'data-byte-flip',
      mutate: (bytes, rng, f) => flipBytes(f.dataStart, bytes.length)(bytes, rng),
    },
    {
      name: 'truncate',
      mutate: (bytes, rng) => bytes.slice(0, int(rng, bytes.length)),
    },
    {
      name: 'append-junk',
      mutate: (bytes, rng) => {
        const junk = Uint8Array.from({ length: 1 + int(rng, 4096) }, () => int(rng, 256));
        const out = new Uint8Array(bytes.length + junk.length);
        out.set(bytes);
        out.set(junk, bytes.length);
        return out;
      },
    },
    {
      name: 'special-value',
      mutate: (bytes, rng, f) => {
        const out = bytes.slice();
        // Data sections of the seed files are f32 from a 4-aligned start.
        const words = Math.floor((out.length - f.dataStart) / 4);
        const at = f.dataStart + 4 * int(rng, words);
        const value = pick(rng, [Number.NaN, Number.POSITIVE_INFINITY, -Infinity, 3e38, -1e30]);
        new DataView(out.buffer).setFloat32(at, value, true);
        return out;
      },
    },
  ];
}

/** Edits one of `positions` (u64 lengths) by an interesting amount. */
const editLength =
  (which: (f: FileFields) => number[]) => (bytes: Uint8Array, rng: () => number, f: FileFields) => {
    const out = bytes.slice();
    const at = pick(rng, which(f));
    const old = readUint(out, at, 8);
    const delta = pick(rng, [1n, -1n, 2n, -2n, 8n, -8n]);
    writeUint(
      out,
      at,
      8,
      rng() < 0.7 ? (old + delta < 0n ? 0n : old + delta) : editedCount(old, rng, 64),
    );
    return out;
  };

const editCount = (bytes: Uint8Array, rng: () => number, f: FileFields) => {
  const out = bytes.slice();
  const { at, bytes: width } = pick(rng, f.counts);
  writeUint(out, at, width, editedCount(readUint(out, at, width), rng, width === 4 ? 32 : 64));
  return out;
};

/** The classes of each format, in the order mutants cycle through them. */
export function mutationClasses(format: FuzzFormat): MutationClass[] {
  const common = commonClasses();
  if (format === 'llama2c') return [...common, { name: 'count-edit', mutate: editCount }];
  if (format === 'gguf') {
    return [
      ...common,
      { name: 'length-edit', mutate: editLength((f) => f.lengths) },
      { name: 'count-edit', mutate: editCount },
      {
        name: 'offset-edit',
        mutate: (bytes, rng, f) => {
          const out = bytes.slice();
          const at = pick(rng, f.offsets);
          const old = readUint(out, at, 8);
          const delta = pick(rng, [32n, -32n, 64n, 1n, 4n, 1024n]);
          writeUint(out, at, 8, old + delta < 0n ? old + 32n : old + delta);
          return out;
        },
      },
      {
        name: 'dtype-edit',
        mutate: (bytes, rng, f) => {
          const out = bytes.slice();
          // F16, BF16, a quantized type, an unknown one.
          writeUint(out, pick(rng, f.types), 4, BigInt(pick(rng, [1, 30, 30, 2, 8, 99])));
          return out;
        },
      },
    ];
  }
  return [
    ...common,
    { name: 'header-length-edit', mutate: editLength((f) => f.lengths) },
    ...safetensorsHeaderClasses(),
  ];
}

/** Edits of the safetensors JSON header that keep it valid JSON: offsets, dtypes, shapes. */
function safetensorsHeaderClasses(): MutationClass[] {
  const edit =
    (change: (entry: Record<string, unknown>, rng: () => number) => void) =>
    (bytes: Uint8Array, rng: () => number) => {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const length = Number(view.getBigUint64(0, true));
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
      const names = Object.keys(header).filter((k) => k !== '__metadata__');
      change(header[pick(rng, names)], rng);
      const json = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + json.length + bytes.length - 8 - length);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      out.set(bytes.subarray(8 + length), 8 + json.length);
      return out;
    };
  return [
    {
      name: 'offset-edit',
      mutate: edit((entry, rng) => {
        const offsets = entry.data_offsets as number[];
        const delta = pick(rng, [1, -1, 4, -4, 256]);
        const both = rng() < 0.5;
        entry.data_offsets = offsets.map((o, k) => (both || k === 1 ? Math.max(0, o + delta) : o));
      }),
    },
    {
      name: 'dtype-edit',
      mutate: edit((entry, rng) => {
        entry.dtype = pick(rng, ['BF16', 'F16', 'I32', 'F64', 'U8', 'F8']);
      }),
    },
    {
      name: 'count-edit',
      mutate: edit((entry, rng) => {
        const shape = entry.shape as number[];
        const d = int(rng, shape.length);
        const next = [...shape];
        next[d] = Number(editedCount(BigInt(shape[d] as number), rng, 32));
        entry.shape = rng() < 0.2 ? [...shape, 1] : next;
      }),
    },
  ];
}
