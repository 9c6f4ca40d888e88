/**
 * GGUF v3 writer: the byte layout only (header, metadata, tensor infos, padding). What goes in it
 * (llama.cpp's names and keys) is save/save-gguf.ts's business. The reader (gguf.ts) documents the
 * format; this writes exactly what it reads: little-endian, u64 lengths and counts, ggml dims
 * innermost-first, tensor offsets relative to the data section, every tensor's data starting at a
 * multiple of the alignment.
 */
import { GGUF_DEFAULT_ALIGNMENT, GgufValueType } from './gguf.js';

/** A metadata value with its GGUF type spelled out (JS numbers do not say u32 or f32). */
export type GgufEntryValue =
  | { type: 'u32'; value: number }
  | { type: 'i32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'string'; value: string }
  | { type: 'string[]'; value: readonly string[] }
  | { type: 'f32[]'; value: ArrayLike<number> }
  | { type: 'i32[]'; value: ArrayLike<number> };

export interface GgufEntry {
  key: string;
  value: GgufEntryValue;
}

/** GGML tensor types the writer produces. */
export const GgmlType = { F32: 0, F16: 1, BF16: 30 } as const;
export type GgmlTypeName = keyof typeof GgmlType;
const GGML_TYPE_BYTES: Record<GgmlTypeName, number> = { F32: 4, F16: 2, BF16: 2 };

export interface GgufTensorPlan {
  name: string;
  type: GgmlTypeName;
  /** Row-major (PyTorch) shape; written reversed, as ggml lists dimensions. */
  shape: readonly number[];
}

export interface GgufLayout {
  /** Everything before the data section, padding included. */
  header: Uint8Array;
  /** Per tensor, in file order: its data's byte length and the zero padding that follows it. */
  tensors: { name: string; byteLength: number; padding: number; offset: number }[];
  /** Total file size in bytes. */
  fileBytes: number;
}

/**
 * Lays out a GGUF v3 file: the header bytes, and where each tensor's data goes (in the order
 * given, each padded to `alignment`). `general.alignment`, when not the default 32, must be among
 * the entries, since readers take the alignment from it.
 */
export function layoutGguf(
  entries: readonly GgufEntry[],
  tensors: readonly GgufTensorPlan[],
  alignment = GGUF_DEFAULT_ALIGNMENT,
): GgufLayout {
  const keys = new Set<string>();
  for (const { key } of entries) {
    if (keys.has(key)) throw new Error(`GGUF writer: metadata key "${key}" given twice`);
    keys.add(key);
  }
  const names = new Set<string>();
  const out = new ByteBuilder();
  out.u32(0x46554747); // "GGUF"
  out.u32(3);
  out.u64(tensors.length);
  out.u64(entries.length);
  for (const { key, value } of entries) {
    out.string(key);
    writeValue(out, value);
  }
  const placed: GgufLayout['tensors'] = [];
  let offset = 0;
  for (const t of tensors) {
    if (names.has(t.name)) throw new Error(`GGUF writer: tensor "${t.name}" given twice`);
    names.add(t.name);
    out.string(t.name);
    out.u32(t.shape.length);
    for (const d of [...t.shape].reverse()) out.u64(d);
    out.u32(GgmlType[t.type]);
    out.u64(offset);
    const byteLength = t.shape.reduce((n, d) => n * d, 1) * GGML_TYPE_BYTES[t.type];
    const padding = alignUp(byteLength, alignment) - byteLength;
    placed.push({ name: t.name, byteLength, padding, offset });
    offset += byteLength + padding;
  }
  out.zeros(alignUp(out.length, alignment) - out.length);
  const header = out.bytes();
  return { header, tensors: placed, fileBytes: header.byteLength + offset };
}

function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}

function writeValue(out: ByteBuilder, v: GgufEntryValue): void {
  switch (v.type) {
    case 'u32':
      out.u32(GgufValueType.UINT32);
      out.u32(v.value);
      return;
    case 'i32':
      out.u32(GgufValueType.INT32);
      out.i32(v.value);
      return;
    case 'f32':
      out.u32(GgufValueType.FLOAT32);
      out.f32(v.value);
      return;
    case 'bool':
      out.u32(GgufValueType.BOOL);
      out.u8(v.value ? 1 : 0);
      return;
    case 'string':
      out.u32(GgufValueType.STRING);
      out.string(v.value);
      return;
    case 'string[]':
      out.u32(GgufValueType.ARRAY);
      out.u32(GgufValueType.STRING);
      out.u64(v.value.length);
      for (const s of v.value) out.string(s);
      return;
    case 'f32[]':
    case 'i32[]': {
      out.u32(GgufValueType.ARRAY);
      out.u32(v.type === 'f32[]' ? GgufValueType.FLOAT32 : GgufValueType.INT32);
      out.u64(v.value.length);
      for (let i = 0; i < v.value.length; i++) {
        if (v.type === 'f32[]') out.f32(v.value[i] as number);
        else out.i32(v.value[i] as number);
      }
      return;
    }
  }
}

/**
 * A growable little-endian byte buffer. Writers take the position from `reserve` before touching
 * `buffer`/`view`, which `reserve` may replace.
 */
class ByteBuilder {
  private buffer = new Uint8Array(1024);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private reserve(n: number): number {
    if (this.length + n > this.buffer.byteLength) {
      const bigger = new Uint8Array(Math.max(this.buffer.byteLength * 2, this.length + n));
      bigger.set(this.buffer.subarray(0, this.length));
      this.buffer = bigger;
      this.view = new DataView(bigger.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  u8(v: number): void {
    const at = this.reserve(1);
    this.view.setUint8(at, v);
  }
  u32(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
      throw new Error(`GGUF writer: ${v} is not a u32`);
    const at = this.reserve(4);
    this.view.setUint32(at, v, true);
  }
  i32(v: number): void {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff)
      throw new Error(`GGUF writer: ${v} is not an i32`);
    const at = this.reserve(4);
    this.view.setInt32(at, v, true);
  }
  f32(v: number): void {
    const at = this.reserve(4);
    this.view.setFloat32(at, v, true);
  }
  u64(v: number): void {
    const at = this.reserve(8);
    this.view.setBigUint64(at, BigInt(v), true);
  }
  string(s: string): void {
    const bytes = new TextEncoder().encode(s);
    this.u64(bytes.byteLength);
    const at = this.reserve(bytes.byteLength);
    this.buffer.set(bytes, at);
  }
  zeros(n: number): void {
    this.reserve(n); // a fresh or grown buffer is zero past the old length
    this.buffer.fill(0, this.length - n, this.length);
  }
  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}
