import { readFixture } from '@llm-streamline/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesByteSource } from '../src/io/byte-source.js';
import { parseGguf } from '../src/io/gguf.js';
import { getTensor } from '../src/io/tensor-index.js';
import { readTensorF32 } from '../src/io/tensor-read.js';

const FILE = 'stories260K.gguf';
let original: Uint8Array;

beforeAll(async () => {
  original = await readFixture('stories260K/stories260K.gguf');
});

const parse = (bytes: Uint8Array, name = FILE) => parseGguf(bytesByteSource(bytes, name));

/** Offset of the u32 GGML type field of tensor `name` in the tensor-info section. */
function typeFieldOffset(bytes: Uint8Array, name: string): number {
  const needle = new TextEncoder().encode(name);
  outer: for (let i = 0; i + needle.length < bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    // The name is preceded by its u64 length; make sure this is the full name.
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    if (Number(view.getBigUint64(i - 8, true)) !== needle.length) continue;
    const nDims = view.getUint32(i + needle.length, true);
    return i + needle.length + 4 + 8 * nDims;
  }
  throw new Error(`tensor ${name} not found`);
}

/** Tiny GGUF writer for synthetic files covering every metadata value type. */
class GgufBuilder {
  private parts: number[] = [];
  u8(v: number) {
    this.parts.push(v & 0xff);
    return this;
  }
  u32(v: number) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    this.parts.push(...b);
    return this;
  }
  u64(v: bigint | number) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    this.parts.push(...b);
    return this;
  }
  raw(bytes: ArrayLike<number>) {
    this.parts.push(...Array.from(bytes));
    return this;
  }
  str(s: string) {
    const b = new TextEncoder().encode(s);
    return this.u64(b.length).raw(b);
  }
  typed(arr: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) {
    return this.raw(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
  }
  pad(alignment: number) {
    while (this.parts.length % alignment) this.parts.push(0);
    return this;
  }
  get length() {
    return this.parts.length;
  }
  bytes() {
    return Uint8Array.from(this.parts);
  }
}

describe('parseGguf on stories260K.gguf', () => {
  it('reads header, metadata and tensor infos', async () => {
    const gguf = await parse(original);
    expect(gguf.version).toBe(3);
    expect(gguf.kv.size).toBe(19);
    expect(gguf.tensors.size).toBe(48);
    expect(gguf.alignment).toBe(32);
    expect(gguf.dataOffset).toBe(14176); // infos end at 14152, padded to 32
    expect(gguf.kv.get('general.architecture')).toBe('llama');
    expect(gguf.kv.get('llama.block_count')).toBe(5);
    expect(gguf.kv.get('llama.attention.layer_norm_rms_epsilon')).toBe(Math.fround(1e-5));
    expect(gguf.kv.get('tokenizer.ggml.seperator_token_id')).toBe(4294967295);
    const tokens = gguf.kv.get('tokenizer.ggml.tokens') as string[];
    expect(tokens).toHaveLength(512);
    expect(tokens.slice(0, 4)).toEqual(['<unk>', '<s>', '</s>', '<0x00>']);
    expect(gguf.kv.get('tokenizer.ggml.scores')).toBeInstanceOf(Float32Array);
    expect(gguf.kv.get('tokenizer.ggml.token_type')).toBeInstanceOf(Int32Array);
  });

  it('reverses ggml dims into row-major shapes', async () => {
    const gguf = await parse(original);
    const gate = getTensor(gguf, 'blk.0.ffn_gate.weight');
    expect(gate.ggmlDims).toEqual([64, 172]);
    expect(gate.shape).toEqual([172, 64]);
    expect(getTensor(gguf, 'blk.0.ffn_down.weight').shape).toEqual([64, 172]);
    expect(getTensor(gguf, 'blk.2.attn_k.weight').shape).toEqual([32, 64]);
    expect(gguf.tensors.get('token_embd.weight')).toMatchObject({
      shape: [512, 64],
      dtype: 'F32',
      byteOffset: 14176,
      byteLength: 131072,
    });
    const last = getTensor(gguf, 'blk.4.ffn_norm.weight');
    expect(last.byteOffset + last.byteLength).toBe(original.length);
  });

  it('output.weight equals token_embd.weight (shared classifier stored twice)', async () => {
    const gguf = await parse(original);
    const embed = await readTensorF32(getTensor(gguf, 'token_embd.weight'));
    const output = await readTensorF32(getTensor(gguf, 'output.weight'));
    expect(output.every((v, i) => v === embed[i])).toBe(true);
  });
});

describe('parseGguf errors name the file (and tensor)', () => {
  it('bad magic', async () => {
    const bytes = original.slice();
    bytes[0] = 0x58;
    await expect(parse(bytes)).rejects.toThrow(/stories260K\.gguf: not a GGUF file \(bad magic/);
  });

  it('unsupported version', async () => {
    const bytes = original.slice();
    new DataView(bytes.buffer).setUint32(4, 1, true);
    await expect(parse(bytes)).rejects.toThrow(/stories260K\.gguf: unsupported GGUF version 1/);
  });

  it('truncated inside the metadata', async () => {
    await expect(parse(original.subarray(0, 5000))).rejects.toThrow(
      /stories260K\.gguf: file is truncated — reading .*tokenizer\.ggml/,
    );
  });

  it('truncated inside the tensor infos', async () => {
    await expect(parse(original.subarray(0, 13000))).rejects.toThrow(
      /stories260K\.gguf: file is truncated/,
    );
  });

  it('truncated tensor data names the tensor', async () => {
    await expect(parse(original.subarray(0, original.length - 8))).rejects.toThrow(
      /stories260K\.gguf: tensor "blk\.4\.ffn_norm\.weight": data .* extends past the end/,
    );
  });

  it('quantized tensor type names the tensor and the type', async () => {
    const bytes = original.slice();
    new DataView(bytes.buffer).setUint32(typeFieldOffset(bytes, 'blk.1.attn_v.weight'), 2, true);
    await expect(parse(bytes)).rejects.toThrow(
      /stories260K\.gguf: tensor "blk\.1\.attn_v\.weight" has GGML type Q4_0/,
    );
  });

  it('tiny file', async () => {
    await expect(parse(original.subarray(0, 2), 'x.gguf')).rejects.toThrow(
      /x\.gguf: file is truncated/,
    );
  });
});

describe('parseGguf on a synthetic v2 file', () => {
  it('decodes every value type, nested arrays, custom alignment and F16 tensors', async () => {
    const b = new GgufBuilder();
    b.raw([0x47, 0x47, 0x55, 0x46]).u32(2).u64(1).u64(15);
    b.str('u8').u32(0).u8(200);
    b.str('i8').u32(1).u8(0xff);
    b.str('u16').u32(2).typed(Uint16Array.of(65000));
    b.str('i16').u32(3).typed(Int16Array.of(-300));
    b.str('u32').u32(4).u32(4000000000);
    b.str('i32').u32(5).typed(Int32Array.of(-7));
    b.str('f32').u32(6).typed(Float32Array.of(0.5));
    b.str('bool').u32(7).u8(1);
    b.str('str').u32(8).str('héllo');
    b.str('u64big')
      .u32(10)
      .u64(2n ** 60n + 1n);
    b.str('i64').u32(11).typed(BigInt64Array.of(-5n));
    b.str('f64').u32(12).typed(Float64Array.of(Math.PI));
    b.str('arr.f32')
      .u32(9)
      .u32(6)
      .u64(3)
      .typed(Float32Array.of(1, 2, 3));
    b.str('arr.nested').u32(9).u32(9).u64(2).u32(8).u64(1).str('a').u32(7).u64(2).u8(0).u8(1);
    b.str('general.alignment').u32(4).u32(64);
    b.str('w').u32(2).u64(3).u64(2).u32(1).u64(0); // F16, ggml dims [3, 2] → shape [2, 3]
    b.pad(64);
    const dataOffset = b.length;
    b.typed(Uint16Array.of(0x3c00, 0x4000, 0x4200, 0xbc00, 0x0000, 0x7c00));
    const gguf = await parse(b.bytes(), 'synthetic.gguf');
    expect(gguf.version).toBe(2);
    expect(Object.fromEntries([...gguf.kv].filter(([k]) => !k.startsWith('arr')))).toEqual({
      u8: 200,
      i8: -1,
      u16: 65000,
      i16: -300,
      u32: 4000000000,
      i32: -7,
      f32: 0.5,
      bool: true,
      str: 'héllo',
      u64big: 2n ** 60n + 1n,
      i64: -5,
      f64: Math.PI,
      'general.alignment': 64,
    });
    expect([...(gguf.kv.get('arr.f32') as Float32Array)]).toEqual([1, 2, 3]);
    expect(gguf.kv.get('arr.nested')).toEqual([['a'], [false, true]]);
    expect(gguf.alignment).toBe(64);
    expect(gguf.dataOffset).toBe(dataOffset);
    const w = getTensor(gguf, 'w');
    expect(w).toMatchObject({ dtype: 'F16', shape: [2, 3], byteLength: 12 });
    expect([...(await readTensorF32(w))]).toEqual([1, 2, 3, -1, 0, Infinity]);
  });
});
