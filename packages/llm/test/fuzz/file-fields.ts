/**
 * The editable fields of the fuzz seed files, found by walking their headers independently of the
 * loaders (a mutation must not depend on the code it tests).
 */
import type { FileFields, FuzzFormat } from './mutations.js';

export function fileFields(format: FuzzFormat, bytes: Uint8Array): FileFields {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === 'llama2c') {
    const counts = Array.from({ length: 7 }, (_, i) => ({ at: 4 * i, bytes: 4 as const }));
    return { dataStart: 28, lengths: [], counts, offsets: [], types: [] };
  }
  if (format === 'safetensors') {
    const length = Number(view.getBigUint64(0, true));
    return { dataStart: 8 + length, lengths: [0], counts: [], offsets: [], types: [] };
  }
  return ggufFields(view);
}

/** GGUF v3: magic, version, u64 tensor count, u64 KV count, KVs, tensor infos, aligned data. */
function ggufFields(view: DataView): FileFields {
  const fields: FileFields = {
    dataStart: 0,
    lengths: [],
    counts: [
      { at: 8, bytes: 8 },
      { at: 16, bytes: 8 },
    ],
    offsets: [],
    types: [],
  };
  let at = 24;
  const u32 = () => {
    const v = view.getUint32(at, true);
    at += 4;
    return v;
  };
  const u64 = () => {
    const v = Number(view.getBigUint64(at, true));
    at += 8;
    return v;
  };
  const string = () => {
    fields.lengths.push(at);
    const length = u64(); // read first: `at += u64()` would add to the old `at`
    at += length;
  };
  const SIZES: Record<number, number> = {
    0: 1,
    1: 1,
    2: 2,
    3: 2,
    4: 4,
    5: 4,
    6: 4,
    7: 1,
    10: 8,
    11: 8,
    12: 8,
  };
  const value = (type: number): void => {
    if (type === 8) {
      string();
      return;
    }
    if (type === 9) {
      const element = u32();
      fields.lengths.push(at);
      const n = u64();
      for (let i = 0; i < n; i++) value(element);
      return;
    }
    at += SIZES[type] as number;
  };
  const tensorCount = Number(view.getBigUint64(8, true));
  const kvCount = Number(view.getBigUint64(16, true));
  for (let i = 0; i < kvCount; i++) {
    string();
    value(u32());
  }
  for (let i = 0; i < tensorCount; i++) {
    string();
    fields.counts.push({ at, bytes: 4 });
    const nDims = u32();
    for (let d = 0; d < nDims; d++) {
      fields.counts.push({ at, bytes: 8 });
      at += 8;
    }
    fields.types.push(at);
    at += 4;
    fields.offsets.push(at);
    at += 8;
  }
  fields.dataStart = Math.ceil(at / 32) * 32;
  return fields;
}
