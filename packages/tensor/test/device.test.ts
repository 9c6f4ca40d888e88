import { describe, expect, it } from 'vitest';
import { getDevice, NoAdapterError } from '../src/index.js';

describe('device', () => {
  it('describes its adapter and picks a kernel family for it', async () => {
    const device = await getDevice();
    expect(typeof device.adapter.description).toBe('string');
    expect(device.kernelVariant).toBe(device.adapter.isCpu ? 'register' : 'tiled');
    expect(device.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
  });

  it('the no-adapter error says what was tried and how to get one', () => {
    const e = new NoAdapterError(['navigator.gpu: requestAdapter() returned null']);
    expect(e.message).toMatch(/Tried: navigator.gpu: requestAdapter\(\) returned null/);
    expect(e.message).toMatch(/VK_ICD_FILENAMES/);
    expect(e.message).toMatch(/--enable-unsafe-webgpu/);
  });
});
