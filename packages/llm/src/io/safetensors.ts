/**
 * safetensors reader.
 *
 * Layout: u64 little-endian header length N, then N bytes of UTF-8 JSON
 * (`{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}`),
 * then the data section; `data_offsets` are relative to the data section.
 * The header is validated thoroughly because a corrupt or hostile file must
 * fail with a precise message rather than produce garbage weights.
 */
import type { ByteSource } from './byte-source.js';
import {
  DTYPE_BYTES,
  isDType,
  numElements,
  type TensorIndex,
  type TensorRecord,
} from './tensor-index.js';

/** Upper bound on the JSON header; the reference implementation uses 100 MB. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

/** Parsed safetensors file: the tensor index plus the data section position. */
export interface SafetensorsFile extends TensorIndex {
  readonly source: ByteSource;
  /** Absolute offset of the data section (8 + header length). */
  readonly dataOffset: number;
}

/** Reads and validates the header of a safetensors file. */
export async function parseSafetensors(source: ByteSource): Promise<SafetensorsFile> {
  const file = source.name;
  if (source.size < 8) {
    throw new Error(
      `${file}: not a safetensors file — ${source.size} bytes is too short for the 8-byte header length`,
    );
  }
  const lengthBytes = await source.read(0, 8);
  const headerLength64 = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(
    0,
    true,
  );
  if (
    headerLength64 > BigInt(source.size - 8) ||
    headerLength64 > BigInt(MAX_SAFETENSORS_HEADER_BYTES)
  ) {
    throw new Error(
      `${file}: safetensors header length ${headerLength64} is too large (file has ${source.size} bytes, limit ${MAX_SAFETENSORS_HEADER_BYTES})`,
    );
  }
  const headerLength = Number(headerLength64);
  if (headerLength < 2)
    throw new Error(
      `${file}: safetensors header length ${headerLength} is too small for a JSON object`,
    );
  const dataOffset = 8 + headerLength;

  let header: unknown;
  try {
    const headerText = new TextDecoder('utf-8', { fatal: true }).decode(
      await source.read(8, headerLength),
    );
    header = JSON.parse(headerText);
  } catch (error) {
    throw new Error(
      `${file}: safetensors header is not valid UTF-8 JSON (${oneLine((error as Error).message)})`,
    );
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new Error(`${file}: safetensors header must be a JSON object`);
  }

  const metadata = parseMetadata(file, (header as Record<string, unknown>).__metadata__);
  const dataSize = source.size - dataOffset;
  const records: TensorRecord[] = [];
  const ranges: { name: string; begin: number; end: number }[] = [];

  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, begin, end } = validateEntry(file, name, entry);
    if (end > dataSize) {
      throw new Error(
        `${file}: tensor "${name}" data_offsets [${begin}, ${end}) extend past the end of the data section (${dataSize} bytes)`,
      );
    }
    ranges.push({ name, begin, end });
    records.push({
      name,
      dtype,
      shape,
      byteOffset: dataOffset + begin,
      byteLength: end - begin,
      source,
    });
  }

  assertTiling(file, ranges, dataSize);
  // Keep file order (by offset): loaders then read sequentially.
  records.sort((a, b) => a.byteOffset - b.byteOffset);
  return { source, dataOffset, metadata, tensors: new Map(records.map((r) => [r.name, r])) };
}

function parseMetadata(file: string, raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new Error(`${file}: __metadata__ must be an object of strings`);
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string')
      throw new Error(`${file}: __metadata__["${key}"] must be a string`);
  }
  return { ...(raw as Record<string, string>) };
}

function validateEntry(file: string, name: string, entry: unknown) {
  const where = `${file}: tensor "${name}"`;
  if (typeof entry !== 'object' || entry === null)
    throw new Error(`${where}: header entry must be an object`);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (!isDType(dtype)) throw new Error(`${where}: unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(
      `${where}: shape ${JSON.stringify(shape)} must be an array of non-negative integers`,
    );
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw new Error(
      `${where}: data_offsets ${JSON.stringify(offsets)} must be [begin, end] with 0 <= begin <= end`,
    );
  }
  const [begin, end] = offsets as [number, number];
  const expected = numElements(shape) * DTYPE_BYTES[dtype];
  if (end - begin !== expected) {
    throw new Error(
      `${where}: shape ${JSON.stringify(shape)} × ${dtype} needs ${expected} bytes but data_offsets [${begin}, ${end}) hold ${end - begin}`,
    );
  }
  return { dtype, shape: shape as number[], begin, end };
}

/**
 * Checks that the tensors' `data_offsets` tile the data section exactly: sorted by offset, the
 * first begins at 0, each begins where the previous one ends and the last ends at the end of the
 * file. A gap, an overlap or trailing bytes mean the header does not describe the data — as when
 * a header length off by one shifts every weight by a byte while the JSON still parses.
 */
function assertTiling(
  file: string,
  ranges: { name: string; begin: number; end: number }[],
  dataSize: number,
): void {
  // Empty tensors sort before a non-empty one at the same offset, so they never look like overlaps.
  const sorted = [...ranges].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: { name: string; begin: number; end: number } | undefined;
  for (const range of sorted) {
    if (range.begin < cursor && previous) {
      throw new Error(
        `${file}: tensors "${previous.name}" [${previous.begin}, ${previous.end}) and "${range.name}" [${range.begin}, ${range.end}) overlap`,
      );
    }
    if (range.begin > cursor) {
      throw new Error(
        `${file}: ${range.begin - cursor} bytes of the data section at [${cursor}, ${range.begin}) belong to no tensor (before "${range.name}"); the data_offsets must tile the data section`,
      );
    }
    cursor = range.end;
    previous = range;
  }
  if (cursor !== dataSize) {
    throw new Error(
      `${file}: ${dataSize - cursor} bytes after the last tensor's data (the tensors end at ${cursor} of a ${dataSize}-byte data section); the data_offsets must tile the data section (a wrong header length, or junk appended?)`,
    );
  }
}

/**
 * A parser's message on one short line: V8's JSON errors quote the text around the fault, which
 * in a corrupt header can be binary with newlines.
 */
function oneLine(message: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  const flat = message.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  return flat.length > 160 ? `${flat.slice(0, 160)}…` : flat;
}
