// @ts-check
/**
 * Environment defaults that let WebGPU find an adapter on machines without a GPU, and the
 * `LLMS_ADAPTER` switch that picks one:
 *   auto         (default) a real GPU if the machine has one, else SwiftShader
 *   swiftshader  SwiftShader, the CPU Vulkan driver of Debian/Ubuntu's chromium packages
 *                (buffers and bindings up to 1 GiB; no shader-f16)
 *   lavapipe     Mesa's CPU Vulkan driver, 25.x from bookworm-backports (bindings up to 128 MiB;
 *                shader-f16 and subgroups), installed by scripts/setup.sh
 *
 * Dawn (the `webgpu` npm package) and Chromium both load Vulkan drivers through the Vulkan
 * loader, which reads VK_ICD_FILENAMES once, when the first instance is created. So this must
 * run before the first `create()` in the process (and be inherited by forked test workers and
 * by the browser that Playwright launches). With `auto` it never overrides a VK_ICD_FILENAMES the
 * user set; a named adapter does. Chromium ignores the choice: the browser test projects run on
 * the SwiftShader that Chromium bundles (see vitest.shared.ts).
 */
import { existsSync, readdirSync } from 'node:fs';

/** SwiftShader (CPU Vulkan) ICD shipped by Debian/Ubuntu's chromium packages. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Mesa's lavapipe ICD (package mesa-vulkan-drivers; Dawn needs Mesa 25, not Debian 12's 22.3). */
export const LAVAPIPE_ICD = '/usr/share/vulkan/icd.d/lvp_icd.json';

/** The values LLMS_ADAPTER accepts. */
export const ADAPTERS = /** @type {const} */ (['auto', 'swiftshader', 'lavapipe']);

/** @type {Record<'swiftshader' | 'lavapipe', string>} */
const ICD = { swiftshader: SWIFTSHADER_ICD, lavapipe: LAVAPIPE_ICD };

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
 * The adapter `env` asks for with LLMS_ADAPTER (`auto` when unset or empty).
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {(typeof ADAPTERS)[number]}
 */
export function chosenAdapter(env = process.env) {
  const value = env.LLMS_ADAPTER || 'auto';
  const known = /** @type {readonly string[]} */ (ADAPTERS);
  if (!known.includes(value))
    throw new Error(`LLMS_ADAPTER must be one of ${ADAPTERS.join(', ')}; got '${value}'`);
  return /** @type {(typeof ADAPTERS)[number]} */ (value);
}

/**
 * Fill in WebGPU-related defaults in `env` (mutated and returned). Linux only; a no-op elsewhere
 * (where LLMS_ADAPTER other than `auto` is an error: both CPU drivers are Linux builds).
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {NodeJS.ProcessEnv}
 */
export function applyWebGPUEnv(env = process.env) {
  const adapter = chosenAdapter(env);
  if (process.platform !== 'linux') {
    if (adapter !== 'auto')
      throw new Error(`LLMS_ADAPTER=${adapter} is for Linux; on ${process.platform} use auto`);
    return env;
  }
  if (!env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = '/tmp';
  if (adapter === 'auto') {
    if (!env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD) && !hasGpuDeviceNode()) {
      env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    }
    return env;
  }
  const icd = ICD[adapter];
  if (!existsSync(icd))
    throw new Error(
      `LLMS_ADAPTER=${adapter}: ${icd} is missing; run bash scripts/setup.sh (it installs ${adapter})`,
    );
  env.VK_ICD_FILENAMES = icd;
  return env;
}
