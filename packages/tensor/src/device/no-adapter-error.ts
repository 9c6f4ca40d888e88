/**
 * Thrown when no WebGPU adapter can be obtained. The message lists what was tried and how
 * to get an adapter, because "WebGPU unavailable" alone leaves a user with nothing to do.
 */
export class NoAdapterError extends Error {
  constructor(tried: readonly string[]) {
    super(
      [
        'No WebGPU adapter is available.',
        `Tried: ${tried.join('; ')}.`,
        'To get one:',
        '  - Node on Linux without a GPU: install a Vulkan loader and the SwiftShader CPU driver',
        '    (Debian/Ubuntu: `apt-get install -y --no-install-recommends libvulkan1 chromium-common`) and run',
        '    with VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json, or run `bash scripts/setup.sh`.',
        '  - Node with a GPU: install its Vulkan (Linux), Metal (macOS) or D3D12 (Windows) driver.',
        '  - Browsers: use a WebGPU-enabled browser (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu).',
      ].join('\n'),
    );
    this.name = 'NoAdapterError';
  }
}
