/**
 * GGUF (llama.cpp) reader, versions 2 and 3.
 *
 * Layout: magic "GGUF", u32 version, u64 tensor count, u64 metadata count,
 * metadata key/values, tensor infos, padding to `general.alignment`
 * (default 32), then the data section. Tensor offsets are relative to the
 * data section. GGML lists dimensions innermost-first: ggml dims [64, 172]
 * are the row-major (PyTorch) shape [172, 64]; records here carry the
 * row-major shape.
 *
 * Only float tensor types are supported (F32, F16, BF16); quantized types are
 * rejected with an error naming the tensor and its type.
 */
import type { ByteSource } from './byte-source.js';
import { SequentialReader } from './sequential-reader.js';
import type { DType, TensorIndex, TensorRecord } from './tensor-index.js';

/** Value types of GGUF metadata. */
export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;
export type GgufValueType = (typeof GgufValueType)[keyof typeof GgufValueType];

/**
 * A metadata value. Scalars become numbers (64-bit integers that do not fit
 * a double exactly stay bigint), numeric arrays become typed arrays, string
 * and bool arrays plain arrays, nested arrays arrays of values.
 */
export type GgufValue =
  | number
  | bigint
  | boolean
  | string
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigUint64Array
  | BigInt64Array
  | string[]
  | boolean[]
  | GgufValue[];

/** GGML tensor type ids, for error messages. */
const GGML_TYPE_NAMES: Record<number, string> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  6: 'Q5_0',
  7: 'Q5_1',
  8: 'Q8_0',
  9: 'Q8_1',
  10: 'Q2_K',
  11: 'Q3_K',
  12: 'Q4_K',
  13: 'Q5_K',
  14: 'Q6_K',
  15: 'Q8_K',
  16: 'IQ2_XXS',
  17: 'IQ2_XS',
  18: 'IQ3_XXS',
  19: 'IQ1_S',
  20: 'IQ4_NL',
  21: 'IQ3_S',
  22: 'IQ2_S',
  23: 'IQ4_XS',
  24: 'I8',
  25: 'I16',
  26: 'I32',
  27: 'I64',
  28: 'F64',
  29: 'IQ1_M',
  30: 'BF16',
  34: 'TQ1_0',
  35: 'TQ2_0',
  39: 'MXFP4',
};

/** GGML types this reader can load, mapped to dtypes. */
const SUPPORTED_GGML_TYPES: Record<number, DType> = { 0: 'F32', 1: 'F16', 30: 'BF16' };
const DTYPE_SIZE: Partial<Record<DType, number>> = { F32: 4, F16: 2, BF16: 2 };

export const GGUF_DEFAULT_ALIGNMENT = 32;
const GGUF_MAGIC = 0x46554747; // "GGUF" read as little-endian u32

/** One tensor info as stored, plus the derived record. */
export interface GgufTensorInfo extends TensorRecord {
  /** Dimensions exactly as stored (innermost first). */
  readonly ggmlDims: readonly number[];
  /** GGML type id. */
  readonly ggmlType: number;
}

export interface GgufFile extends TensorIndex {
  readonly source: ByteSource;
  readonly version: number;
  /** All metadata key/values, in file order. */
  readonly kv: ReadonlyMap<string, GgufValue>;
  /** Tensors by name (records carry row-major shapes and absolute offsets). */
  readonly tensors: ReadonlyMap<string, GgufTensorInfo>;
  readonly alignment: number;
  /** Absolute offset of the data section. */
  readonly dataOffset: number;
}

/** Parses a GGUF file's header, metadata and tensor infos (no tensor data is read). */
export async function parseGguf(source: ByteSource): Promise<GgufFile> {
  const file = source.name;
  const r = new SequentialReader(source);
  await r.need(4, 'the GGUF magic');
  const magic = r.u32();
  if (magic !== GGUF_MAGIC) {
    throw new Error(
      `${file}: not a GGUF file (bad magic 0x${magic.toString(16).padStart(8, '0')}, expected "GGUF")`,
    );
  }
  await r.need(20, 'the GGUF header');
  const version = r.u32();
  if (version !== 2 && version !== 3) {
    const hint = version > 0xffff ? ' (big-endian GGUF is not supported)' : '';
    throw new Error(
      `${file}: unsupported GGUF version ${version}${hint}; versions 2 and 3 are supported`,
    );
  }
  const tensorCount = r.u64AsNumber('tensor count');
  const kvCount = r.u64AsNumber('metadata count');
  // Each KV takes at least 12 bytes and each tensor info at least 24: reject absurd counts early.
  if (kvCount * 12 + tensorCount * 24 > source.size) {
    throw new Error(
      `${file}: GGUF header claims ${tensorCount} tensors and ${kvCount} metadata entries, too many for ${source.size} bytes`,
    );
  }

  const kv = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = await readName(r, `metadata key #${i}`, MAX_KEY_BYTES);
    await r.need(4, `type of metadata "${key}"`);
    const type = r.u32();
    kv.set(key, await readValue(r, type, key));
  }

  const alignment = readAlignment(file, kv);
  const infos: { name: string; dims: number[]; type: number; offset: number }[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = await readName(r, `name of tensor #${i}`, MAX_TENSOR_NAME_BYTES);
    await r.need(4, `tensor "${name}" info`);
    const nDims = r.u32();
    if (nDims > 8)
      throw new Error(`${file}: tensor "${name}" has ${nDims} dimensions (at most 8 allowed)`);
    await r.need(8 * nDims + 12, `tensor "${name}" info`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(r.u64AsNumber(`dimension ${d} of tensor "${name}"`));
    const type = r.u32();
    const offset = r.u64AsNumber(`offset of tensor "${name}"`);
    infos.push({ name, dims, type, offset });
  }

  const dataOffset = alignUp(r.position, alignment);
  if (dataOffset > source.size && infos.length > 0) {
    throw new Error(
      `${file}: file is truncated — data section would start at ${dataOffset} but the file has ${source.size} bytes`,
    );
  }
  const tensors = new Map<string, GgufTensorInfo>();
  for (const info of infos) {
    if (tensors.has(info.name)) throw new Error(`${file}: tensor "${info.name}" is listed twice`);
    tensors.set(info.name, toRecord(source, info, dataOffset, alignment));
  }
  assertTypesMatchFileType(file, kv, tensors.values());
  assertDataLayout(file, [...tensors.values()], dataOffset, alignment, source.size);
  return { source, version, kv, tensors, metadata: {}, alignment, dataOffset };
}

function toRecord(
  source: ByteSource,
  info: { name: string; dims: number[]; type: number; offset: number },
  dataOffset: number,
  alignment: number,
): GgufTensorInfo {
  const where = `${source.name}: tensor "${info.name}"`;
  const dtype = SUPPORTED_GGML_TYPES[info.type];
  if (!dtype) {
    const typeName = GGML_TYPE_NAMES[info.type] ?? `unknown type ${info.type}`;
    throw new Error(
      `${where} has GGML type ${typeName}; only F32, F16 and BF16 tensors are supported`,
    );
  }
  if (info.offset % alignment !== 0) {
    throw new Error(
      `${where}: offset ${info.offset} is not a multiple of the alignment ${alignment}`,
    );
  }
  const shape = [...info.dims].reverse();
  const byteLength = shape.reduce((n, d) => n * d, 1) * (DTYPE_SIZE[dtype] as number);
  const byteOffset = dataOffset + info.offset;
  if (byteOffset + byteLength > source.size) {
    throw new Error(
      `${where}: data [${byteOffset}, ${byteOffset + byteLength}) extends past the end of the file (${source.size} bytes) — file is truncated`,
    );
  }
  return {
    name: info.name,
    dtype,
    shape,
    byteOffset,
    byteLength,
    source,
    ggmlDims: info.dims,
    ggmlType: info.type,
  };
}

/**
 * Checks that the tensors' data, in offset order, do not overlap and leave no room for another
 * tensor: each begins at the previous one's end rounded up to the alignment (the padding GGUF
 * writers put between tensors), and the file ends within one alignment's padding of the last.
 * A tensor whose type was changed (F32 to BF16 halves its bytes), an edited offset or appended
 * junk breaks this even when every offset is still aligned and in range.
 */
function assertDataLayout(
  file: string,
  records: readonly GgufTensorInfo[],
  dataOffset: number,
  alignment: number,
  size: number,
): void {
  const sorted = [...records].sort(
    (a, b) => a.byteOffset - b.byteOffset || a.byteLength - b.byteLength,
  );
  let end = dataOffset;
  let previous: GgufTensorInfo | undefined;
  for (const record of sorted) {
    if (previous && record.byteOffset < end) {
      throw new Error(
        `${file}: tensors "${previous.name}" [${previous.byteOffset}, ${end}) and "${record.name}" [${record.byteOffset}, ${record.byteOffset + record.byteLength}) overlap`,
      );
    }
    const expected = alignUp(end, alignment);
    if (record.byteOffset !== expected) {
      throw new Error(
        `${file}: tensor "${record.name}" starts at ${record.byteOffset}, but the previous tensor's data${previous ? ` ("${previous.name}")` : ''} ends at ${end}, so it should start at ${expected} (a wrong offset, type or shape?)`,
      );
    }
    end = record.byteOffset + record.byteLength;
    previous = record;
  }
  if (records.length > 0 && size > alignUp(end, alignment)) {
    throw new Error(
      `${file}: ${size - end} bytes after the last tensor's data (it ends at ${end}, at most ${alignUp(end, alignment) - end} bytes of padding expected) — junk appended, or a wrong offset, type or shape?`,
    );
  }
}

/**
 * `general.file_type` (llama.cpp's LLAMA_FTYPE) says which float type a file's matrices are in;
 * llama.cpp keeps 1-D tensors (norms) in F32 whatever it is. A tensor of any other type means the
 * file was edited or corrupted. Files without the key are not checked.
 */
const TYPES_OF_FILE_TYPE: Record<number, { name: string; types: readonly number[] }> = {
  0: { name: 'ALL_F32', types: [0] },
  1: { name: 'MOSTLY_F16', types: [0, 1] },
  32: { name: 'MOSTLY_BF16', types: [0, 30] },
};

function assertTypesMatchFileType(
  file: string,
  kv: ReadonlyMap<string, GgufValue>,
  records: Iterable<GgufTensorInfo>,
): void {
  const fileType = kv.get('general.file_type');
  const allowed = typeof fileType === 'number' ? TYPES_OF_FILE_TYPE[fileType] : undefined;
  if (!allowed) return;
  for (const record of records) {
    if (!allowed.types.includes(record.ggmlType)) {
      throw new Error(
        `${file}: tensor "${record.name}" has type ${GGML_TYPE_NAMES[record.ggmlType]}, but general.file_type ${fileType} (${allowed.name}) allows only ${allowed.types.map((t) => GGML_TYPE_NAMES[t]).join(' and ')}`,
      );
    }
  }
}

function readAlignment(file: string, kv: Map<string, GgufValue>): number {
  const value = kv.get('general.alignment');
  if (value === undefined) return GGUF_DEFAULT_ALIGNMENT;
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value <= 0 ||
    (value & (value - 1)) !== 0
  ) {
    throw new Error(
      `${file}: general.alignment must be a positive power of two, got ${String(value)}`,
    );
  }
  return value;
}

function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}

/** GGUF keys are at most 65535 bytes (the spec); ggml tensor names 64 (we allow more). */
const MAX_KEY_BYTES = 65535;
const MAX_TENSOR_NAME_BYTES = 1024;

/**
 * A key or tensor name: short, printable text. Every error about a key or tensor quotes its name,
 * so a corrupt length that makes a name of binary bytes (newlines included) is refused here.
 */
async function readName(r: SequentialReader, what: string, maxBytes: number): Promise<string> {
  const file = r.source.name;
  const at = r.position;
  await r.need(8, `length of ${what}`);
  const length = r.u64AsNumber(`length of ${what}`);
  if (length > maxBytes) {
    throw new Error(
      `${file}: ${what} at offset ${at} is ${length} bytes long (at most ${maxBytes} expected) — a corrupt length?`,
    );
  }
  await r.need(length, what);
  const name = r.utf8(length);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f\ufffd]/.test(name)) {
    throw new Error(
      `${file}: ${what} at offset ${at} is not printable text (${length} bytes) — a corrupt length or name?`,
    );
  }
  return name;
}

async function readString(r: SequentialReader, what: string): Promise<string> {
  await r.need(8, `length of ${what}`);
  const length = r.u64AsNumber(`length of ${what}`);
  await r.need(length, what);
  return r.utf8(length);
}

/** Reads a u64/i64 as a number when exactly representable, else keeps the bigint. */
function narrow(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

const SCALAR_SIZES: Partial<Record<number, number>> = {
  [GgufValueType.UINT8]: 1,
  [GgufValueType.INT8]: 1,
  [GgufValueType.UINT16]: 2,
  [GgufValueType.INT16]: 2,
  [GgufValueType.UINT32]: 4,
  [GgufValueType.INT32]: 4,
  [GgufValueType.FLOAT32]: 4,
  [GgufValueType.BOOL]: 1,
  [GgufValueType.UINT64]: 8,
  [GgufValueType.INT64]: 8,
  [GgufValueType.FLOAT64]: 8,
};

function readScalar(r: SequentialReader, type: number): number | bigint | boolean {
  switch (type) {
    case GgufValueType.UINT8:
      return r.u8();
    case GgufValueType.INT8:
      return r.i8();
    case GgufValueType.UINT16:
      return r.u16();
    case GgufValueType.INT16:
      return r.i16();
    case GgufValueType.UINT32:
      return r.u32();
    case GgufValueType.INT32:
      return r.i32();
    case GgufValueType.FLOAT32:
      return r.f32();
    case GgufValueType.BOOL:
      return r.u8() !== 0;
    case GgufValueType.UINT64:
      return narrow(r.u64());
    case GgufValueType.INT64:
      return narrow(r.i64());
    case GgufValueType.FLOAT64:
      return r.f64();
    default:
      throw new Error(`internal: not a scalar GGUF type ${type}`);
  }
}

/** Typed-array constructors for numeric array element types. */
const TYPED_ARRAYS = {
  [GgufValueType.UINT8]: Uint8Array,
  [GgufValueType.INT8]: Int8Array,
  [GgufValueType.UINT16]: Uint16Array,
  [GgufValueType.INT16]: Int16Array,
  [GgufValueType.UINT32]: Uint32Array,
  [GgufValueType.INT32]: Int32Array,
  [GgufValueType.FLOAT32]: Float32Array,
  [GgufValueType.FLOAT64]: Float64Array,
  [GgufValueType.UINT64]: BigUint64Array,
  [GgufValueType.INT64]: BigInt64Array,
} as const;

async function readValue(r: SequentialReader, type: number, key: string): Promise<GgufValue> {
  const file = r.source.name;
  if (type === GgufValueType.STRING) return readString(r, `metadata "${key}"`);
  const scalarSize = SCALAR_SIZES[type];
  if (scalarSize !== undefined) {
    await r.need(scalarSize, `metadata "${key}"`);
    return readScalar(r, type);
  }
  if (type !== GgufValueType.ARRAY)
    throw new Error(`${file}: metadata "${key}" has unknown value type ${type}`);

  await r.need(12, `array header of metadata "${key}"`);
  const elementType = r.u32();
  const length = r.u64AsNumber(`array length of metadata "${key}"`);
  const elementSize = SCALAR_SIZES[elementType];
  if (elementSize !== undefined) {
    await r.need(elementSize * length, `array metadata "${key}"`);
    if (elementType === GgufValueType.BOOL) {
      return Array.from(r.bytes(length), (b) => b !== 0);
    }
    // Copying through bytes() gives an owned, aligned buffer for the typed array view.
    const Ctor = TYPED_ARRAYS[elementType as keyof typeof TYPED_ARRAYS];
    return new Ctor(r.bytes(elementSize * length).buffer, 0, length);
  }
  if (elementType === GgufValueType.STRING) {
    if (length * 8 > r.remaining)
      throw new Error(
        `${file}: file is truncated — array metadata "${key}" claims ${length} strings`,
      );
    const out: string[] = new Array(length);
    for (let i = 0; i < length; i++)
      out[i] = await readString(r, `element ${i} of metadata "${key}"`);
    return out;
  }
  if (elementType === GgufValueType.ARRAY) {
    if (length * 12 > r.remaining)
      throw new Error(
        `${file}: file is truncated — array metadata "${key}" claims ${length} arrays`,
      );
    const out: GgufValue[] = [];
    for (let i = 0; i < length; i++)
      out.push(await readValue(r, GgufValueType.ARRAY, `${key}[${i}]`));
    return out;
  }
  throw new Error(`${file}: metadata "${key}" is an array of unknown value type ${elementType}`);
}

/** Reads a metadata value, checking its JS type; `undefined` when absent. */
export function ggufGet<T extends 'number' | 'string' | 'boolean'>(
  gguf: Pick<GgufFile, 'kv' | 'source'>,
  key: string,
  kind: T,
): (T extends 'number' ? number : T extends 'string' ? string : boolean) | undefined {
  const value = gguf.kv.get(key);
  if (value === undefined) return undefined;
  if (typeof value !== kind) {
    throw new Error(
      `${gguf.source.name}: metadata "${key}" should be a ${kind}, found ${describe(value)}`,
    );
  }
  return value as never;
}

function describe(value: GgufValue): string {
  if (typeof value === 'object')
    return `${value.constructor.name}(${(value as ArrayLike<unknown>).length})`;
  return `${typeof value} ${String(value)}`;
}
