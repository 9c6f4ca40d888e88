/**
 * The checks that run on a checkpoint's headers before any weight is read (issue 17): one crafted
 * file per rule, and the one-line error it must give, naming the file and what was expected.
 */
import { readFixture } from '@llm-streamline/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { llamaConfigFromGguf } from '../src/config/gguf-config.js';
import { bytesByteSource } from '../src/io/byte-source.js';
import { parseGguf } from '../src/io/gguf.js';
import { parseLlama2cCheckpoint } from '../src/io/llama2c.js';
import { parseSafetensors } from '../src/io/safetensors.js';
import { loadGgufModel } from '../src/load/load-model.js';
import { fileFields } from './fuzz/file-fields.js';

let safetensors: Uint8Array;
let gguf: Uint8Array;
let bin: Uint8Array;

beforeAll(async () => {
  [safetensors, gguf, bin] = await Promise.all([
    readFixture('tinystories-12L/model.safetensors'),
    readFixture('stories260K/stories260K.gguf'),
    readFixture('stories260K/stories260K.bin'),
  ]);
});

/** Rejects with exactly one line that matches `pattern`. */
async function expectOneLine(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  expect(message).toMatch(pattern);
}

describe('safetensors: data_offsets tile the data section', () => {
  // biome-ignore lint/suspicious/noExplicitAny: tests edit arbitrary header fields
  type Header = Record<string, any>;
  function split(bytes: Uint8Array): { header: Header; data: Uint8Array } {
    const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
    return { header, data: bytes.subarray(8 + length) };
  }
  /** A file from a header's JSON text, a declared header length and the data section. */
  function assemble(json: string, data: Uint8Array, declaredLength?: number): Uint8Array {
    const text = new TextEncoder().encode(json);
    const out = new Uint8Array(8 + text.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength ?? text.length), true);
    out.set(text, 8);
    out.set(data, 8 + text.length);
    return out;
  }
  const parse = (bytes: Uint8Array) =>
    parseSafetensors(bytesByteSource(bytes, 'model.safetensors'));

  it('bytes that belong to no tensor (a tensor left out of the header)', async () => {
    const { header, data } = split(safetensors);
    delete header['model.layers.0.self_attn.q_proj.weight'];
    await expectOneLine(
      parse(assemble(JSON.stringify(header), data)),
      /^model\.safetensors: \d+ bytes of the data section at \[\d+, \d+\) belong to no tensor \(before "[^"]+"\); the data_offsets must tile the data section$/,
    );
  });

  it('junk appended after the last tensor', async () => {
    const { header, data } = split(safetensors);
    const longer = new Uint8Array(data.length + 5);
    longer.set(data);
    await expectOneLine(
      parse(assemble(JSON.stringify(header), longer)),
      /^model\.safetensors: 5 bytes after the last tensor's data .*must tile the data section/,
    );
  });

  it('a header length one short: the JSON still parses, every weight would shift by a byte', async () => {
    const { header, data } = split(safetensors);
    const json = `${JSON.stringify(header)} `;
    // The declared length drops the trailing space: the data section starts one byte early.
    await expectOneLine(
      parse(assemble(json, data, json.length - 1)),
      /^model\.safetensors: 1 bytes after the last tensor's data/,
    );
    // The same file with the right length parses.
    await expect(parse(assemble(json, data))).resolves.toBeDefined();
  });

  it('two tensors over the same bytes', async () => {
    const { header, data } = split(safetensors);
    const names = Object.keys(header).filter((k) => k !== '__metadata__');
    const size = (n: string) => header[n].data_offsets[1] - header[n].data_offsets[0];
    // Two tensors of one size, so the dtype × shape check passes and only the layout is wrong.
    const a = names.find((n) => names.some((m) => m !== n && size(m) === size(n))) as string;
    const b = names.find((m) => m !== a && size(m) === size(a)) as string;
    header[b].data_offsets = [...header[a].data_offsets];
    await expectOneLine(
      parse(assemble(JSON.stringify(header), data)),
      /^model\.safetensors: tensors "[^"]+" \[\d+, \d+\) and "[^"]+" \[\d+, \d+\) overlap$/,
    );
  });
});

describe('llama2.c: the size the header implies, before any allocation', () => {
  const withField = (index: number, value: number) => {
    const bytes = bin.slice();
    new DataView(bytes.buffer).setInt32(4 * index, value, true);
    return bytes;
  };
  const parse = (bytes: Uint8Array) => parseLlama2cCheckpoint(bytesByteSource(bytes, 'model.bin'));

  it.each([2147483647, 100000, 6])(
    'n_layers = %i fails at once naming the file',
    async (layers) => {
      const start = performance.now();
      await expectOneLine(
        parse(withField(2, layers)),
        new RegExp(
          `^model\\.bin: llama2\\.c checkpoint size mismatch — the header implies \\d+ bytes but the file has 1056540 \\(.*n_layers ${layers},`,
        ),
      );
      // Building the layout for 2³¹ layers took the heap; the check is arithmetic on 7 numbers.
      expect(performance.now() - start).toBeLessThan(200);
    },
  );

  it('huge dims do not wrap around to the right size', async () => {
    // 2^16 × 2^16 × 4 bytes = 2^34: a 32-bit product would wrap to 0.
    await expectOneLine(
      parse(withField(1, 65536)),
      /^model\.bin: llama2\.c checkpoint size mismatch/,
    );
  });
});

describe('GGUF: tensor data aligned, in range and not overlapping; types consistent', () => {
  const parse = (bytes: Uint8Array) => parseGguf(bytesByteSource(bytes, 'model.gguf'));
  let names: string[];
  beforeAll(async () => {
    names = [...(await parse(gguf)).tensors.keys()];
  });
  const edit = (write: (view: DataView, fields: ReturnType<typeof fileFields>) => void) => {
    const bytes = gguf.slice();
    write(new DataView(bytes.buffer), fileFields('gguf', bytes));
    return bytes;
  };
  const offsetOf = (view: DataView, at: number) => view.getBigUint64(at, true);

  it('a tensor retyped F32 → BF16 (half its bytes) leaves a hole the next tensor names', async () => {
    const k = 10;
    const bytes = edit((view, f) => view.setUint32(f.types[k] as number, 30, true));
    await expectOneLine(
      parse(bytes),
      new RegExp(
        `^model\\.gguf: tensor "[^"]+" starts at \\d+, but the previous tensor's data \\("${names[k]?.replace(/\./g, '\\.')}"\\) ends at \\d+, so it should start at \\d+`,
      ),
    );
  });

  it('the last tensor retyped: the bytes after it are named', async () => {
    const last = names.length - 1;
    await expectOneLine(
      parse(edit((view, f) => view.setUint32(f.types[last] as number, 30, true))),
      /^model\.gguf: \d+ bytes after the last tensor's data/,
    );
  });

  it('two tensors at the same offset overlap', async () => {
    const bytes = edit((view, f) =>
      view.setBigUint64(f.offsets[6] as number, offsetOf(view, f.offsets[5] as number), true),
    );
    await expectOneLine(
      parse(bytes),
      /^model\.gguf: tensors "[^"]+" \[\d+, \d+\) and "[^"]+" \[\d+, \d+\) overlap$/,
    );
  });

  it('an offset off the alignment', async () => {
    const bytes = edit((view, f) =>
      view.setBigUint64(f.offsets[6] as number, offsetOf(view, f.offsets[6] as number) + 4n, true),
    );
    await expectOneLine(
      parse(bytes),
      /^model\.gguf: tensor "[^"]+": offset \d+ is not a multiple of the alignment 32$/,
    );
  });

  it('junk appended after the data', async () => {
    const bytes = new Uint8Array(gguf.length + 100);
    bytes.set(gguf);
    await expectOneLine(parse(bytes), /^model\.gguf: 100 bytes after the last tensor's data/);
  });

  it('a tensor name length that swallows the file is refused before the name is quoted', async () => {
    const at = fileFields('gguf', gguf).lengths.at(-48) as number; // the first tensor's name
    const bytes = gguf.slice();
    new DataView(bytes.buffer).setBigUint64(at, 5000n, true);
    await expectOneLine(
      parse(bytes),
      /^model\.gguf: name of tensor #0 at offset \d+ is 5000 bytes long \(at most 1024 expected\)/,
    );
  });

  it('zero tensors: an error, not "0 parameters"', async () => {
    const bytes = edit((view) => view.setBigUint64(8, 0n, true));
    const file = await parse(bytes);
    expect(() => llamaConfigFromGguf(file)).toThrow(/^model\.gguf: the GGUF holds no tensors/);
  });

  it('a block_count far above the tensors stored fails before the model is built', async () => {
    const key = new TextEncoder().encode('llama.block_count');
    const at = indexOf(gguf, key) + key.length + 4; // the u32 value after the u32 type
    const bytes = gguf.slice();
    new DataView(bytes.buffer).setUint32(at, 2147483647, true);
    await expectOneLine(
      loadGgufModel(bytesByteSource(bytes, 'model.gguf')),
      /^the metadata of model\.gguf: the configuration says 2147483647 layers, but the checkpoint stores only \d+ tensors$/,
    );
  });

  it('a tensor whose type general.file_type does not allow', async () => {
    const bytes = tinyGguf(1, [
      ['a', 0],
      ['b', 30],
    ]);
    await expectOneLine(
      parse(bytes),
      /^model\.gguf: tensor "b" has type BF16, but general\.file_type 1 \(MOSTLY_F16\) allows only F32 and F16$/,
    );
    await expect(
      parse(
        tinyGguf(1, [
          ['a', 0],
          ['b', 1],
        ]),
      ),
    ).resolves.toBeDefined();
  });
});

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('not found');
}

/** A GGUF v3 with `general.file_type` and one 8-element tensor per [name, ggml type]. */
function tinyGguf(fileType: number, tensors: [string, number][]): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number) => parts.push(...new Uint8Array(Uint32Array.of(v).buffer));
  const u64 = (v: number) => parts.push(...new Uint8Array(BigUint64Array.of(BigInt(v)).buffer));
  const str = (s: string) => {
    const b = new TextEncoder().encode(s);
    u64(b.length);
    parts.push(...b);
  };
  parts.push(...new TextEncoder().encode('GGUF'));
  u32(3);
  u64(tensors.length);
  u64(1);
  str('general.file_type');
  u32(4);
  u32(fileType);
  let offset = 0;
  const sizes = tensors.map(([, type]) => 8 * (type === 0 ? 4 : 2));
  tensors.forEach(([name, type], i) => {
    str(name);
    u32(1);
    u64(8);
    u32(type);
    u64(offset);
    offset += Math.ceil((sizes[i] as number) / 32) * 32;
  });
  while (parts.length % 32 !== 0) parts.push(0);
  tensors.forEach((_, i) => {
    const size = sizes[i] as number;
    for (let b = 0; b < Math.ceil(size / 32) * 32; b++) parts.push(0);
  });
  return Uint8Array.from(parts);
}
