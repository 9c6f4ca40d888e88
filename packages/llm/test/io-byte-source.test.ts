import { readFixture, testRuntime } from '@llm-streamline/test-utils';
import { describe, expect, it } from 'vitest';
import { blobByteSource, bytesByteSource, readAllText } from '../src/io/byte-source.js';
import { memoryModelDirectory, readJsonFile } from '../src/io/model-directory.js';

const sample = Uint8Array.from({ length: 100 }, (_, i) => i);

describe('ByteSource', () => {
  for (const [kind, make] of [
    ['bytes', () => bytesByteSource(sample, 'sample.bin')],
    ['blob', () => blobByteSource(new Blob([sample]), 'sample.bin')],
  ] as const) {
    it(`${kind}: reads ranges and rejects reads past the end naming file and range`, async () => {
      const source = make();
      expect(source.size).toBe(100);
      expect([...(await source.read(10, 3))]).toEqual([10, 11, 12]);
      expect((await source.read(100, 0)).length).toBe(0);
      await expect(source.read(98, 5)).rejects.toThrow(/sample\.bin.*\[98, 103\).*100 bytes/);
      await expect(source.read(-1, 2)).rejects.toThrow(/sample\.bin/);
    });
  }

  it('blob source defaults its name to the File name', () => {
    expect(blobByteSource(new File([sample], 'weights.gguf')).name).toBe('weights.gguf');
  });

  it.skipIf(testRuntime !== 'node')('node file source reads in pieces and closes', async () => {
    const { openFileByteSource } = await import('../src/io/node-byte-source.js');
    const { fixturePath } = await import('@llm-streamline/test-utils/paths');
    const expected = await readFixture('stories260K/tok512.bin');
    const source = await openFileByteSource(fixturePath('stories260K/tok512.bin'));
    try {
      expect(source.name).toBe('tok512.bin');
      expect(source.size).toBe(expected.length);
      expect(await source.read(100, 50)).toEqual(expected.subarray(100, 150));
      await expect(source.read(6200, 100)).rejects.toThrow(/tok512\.bin.*\[6200, 6300\)/);
    } finally {
      await source.close?.();
    }
  });

  it.skipIf(testRuntime !== 'node')('node model directory opens existing files only', async () => {
    const { nodeModelDirectory } = await import('../src/io/node-model-directory.js');
    const { fixturePath } = await import('@llm-streamline/test-utils/paths');
    const dir = nodeModelDirectory(fixturePath('tinystories-12L'));
    expect(await dir.open('missing.json')).toBeUndefined();
    const config = (await readJsonFile(dir, 'config.json')) as Record<string, unknown>;
    expect(config.model_type).toBe('llama');
  });

  it('memory directory: readJsonFile names the file on invalid JSON', async () => {
    const dir = memoryModelDirectory({ 'config.json': new TextEncoder().encode('{oops') }, 'm');
    await expect(readJsonFile(dir, 'config.json')).rejects.toThrow(/m\/config\.json: invalid JSON/);
    expect(await readJsonFile(dir, 'other.json')).toBeUndefined();
    const source = await dir.open('config.json');
    if (!source) throw new Error('config.json missing');
    const text = await readAllText(source);
    expect(text).toBe('{oops');
  });
});
