import { hasFixture, readFixture, readFixtureText, readRepoFile } from '@llm-streamline/test-utils';
import { describe, expect, it } from 'vitest';

describe('fixtures', () => {
  it('reads a small binary file from the shared data folder', async () => {
    const bytes = await readFixture('stories260K/tok512.bin');
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(bytes.byteLength).toBe(6227);
  });

  it('reads a multi-megabyte file intact', async () => {
    const bytes = await readFixture('tinystories-12L/model.safetensors');
    // safetensors: u64 little-endian header length, then a JSON header starting with '{'.
    const headerLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
    expect(headerLen).toBeGreaterThan(0);
    expect(headerLen).toBeLessThan(bytes.byteLength);
    expect(bytes[8]).toBe('{'.charCodeAt(0));
    expect(bytes.byteLength).toBeGreaterThan(1_000_000);
  });

  it('reads text and files from the repo', async () => {
    expect(await readFixtureText('stories260K/reference/run_t0_n200.txt')).not.toHaveLength(0);
    const pkg = JSON.parse(new TextDecoder().decode(await readRepoFile('package.json')));
    expect(pkg.private).toBe(true);
  });

  it('reports missing fixtures', async () => {
    expect(await hasFixture('stories260K/tok512.bin')).toBe(true);
    expect(await hasFixture('does/not/exist.bin')).toBe(false);
    await expect(readFixture('does/not/exist.bin')).rejects.toThrow(/cannot read fixture/);
  });
});
