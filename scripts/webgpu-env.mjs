// @ts-check
/**
 * Environment defaults that let WebGPU find an adapter on machines without a GPU.
 *
 * Dawn (the `webgpu` npm package) and Chromium both load Vulkan drivers through the Vulkan
 * loader, which reads VK_ICD_FILENAMES once, when the first instance is created. So this must
 * run before the first `create()` in the process (and be inherited by forked test workers and
 * by the browser that Playwright launches). It never overrides a value the user already set.
 */
import { existsSync, readdirSync } from 'node:fs';

/** SwiftShader (CPU Vulkan) ICD shipped by Debian/Ubuntu's chromium packages. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** @returns {boolean} true when a GPU device node exists (NVIDIA or a DRM render node). */
export function hasGpuDeviceNode() {
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

/**
 * Fill in WebGPU-related defaults in `env` (mutated and returned). Linux only; a no-op elsewhere.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {NodeJS.ProcessEnv}
 */
export function applyWebGPUEnv(env = process.env) {
  if (process.platform !== 'linux') return env;
  if (!env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = '/tmp';
  if (!env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD) && !hasGpuDeviceNode()) {
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  return env;
}
