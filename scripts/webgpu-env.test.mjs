/**
 * LLMS_ADAPTER picks the Vulkan driver Node's WebGPU (Dawn) loads; `auto` keeps the old defaults.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyWebGPUEnv, chosenAdapter, LAVAPIPE_ICD, SWIFTSHADER_ICD } from './webgpu-env.mjs';

const linux = process.platform === 'linux';

describe('LLMS_ADAPTER', () => {
  it('is auto when unset or empty, and refuses unknown names', () => {
    expect(chosenAdapter({})).toBe('auto');
    expect(chosenAdapter({ LLMS_ADAPTER: '' })).toBe('auto');
    expect(chosenAdapter({ LLMS_ADAPTER: 'lavapipe' })).toBe('lavapipe');
    expect(() => chosenAdapter({ LLMS_ADAPTER: 'llvmpipe' })).toThrow(
      "LLMS_ADAPTER must be one of auto, swiftshader, lavapipe; got 'llvmpipe'",
    );
  });

  it.runIf(linux)('auto never overrides a driver the user chose', () => {
    expect(applyWebGPUEnv({ VK_ICD_FILENAMES: '/x.json' }).VK_ICD_FILENAMES).toBe('/x.json');
  });

  it.runIf(linux)('a named adapter sets its driver, over any other choice', () => {
    const want = { swiftshader: SWIFTSHADER_ICD, lavapipe: LAVAPIPE_ICD };
    for (const [name, icd] of Object.entries(want)) {
      const env = { LLMS_ADAPTER: name, VK_ICD_FILENAMES: '/x.json' };
      if (existsSync(icd)) expect(applyWebGPUEnv(env).VK_ICD_FILENAMES).toBe(icd);
      else
        expect(() => applyWebGPUEnv(env)).toThrow(`${icd} is missing; run bash scripts/setup.sh`);
    }
  });
});
