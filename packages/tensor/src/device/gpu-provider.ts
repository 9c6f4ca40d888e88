/**
 * Finds the `GPU` entry point: `navigator.gpu` in browsers, Dawn's `webgpu` package in Node.
 */

/** Where the default SwiftShader (CPU Vulkan) driver lives on Debian/Ubuntu with Chromium installed. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** Where Mesa's lavapipe (CPU Vulkan, mesa-vulkan-drivers) lives on Debian/Ubuntu. */
export const LAVAPIPE_ICD = '/usr/share/vulkan/icd.d/lvp_icd.json';

/**
 * Dawn toggles for Node. Bounds checks and zero-initialised workgroup memory cost ~20% on CPU
 * adapters; our kernels guard every access themselves, so both are safe to turn off.
 */
const DAWN_FLAGS = ['enable-dawn-features=disable_robustness,disable_workgroup_init'];

export interface GpuProvider {
  gpu: GPU;
  /** Human-readable description of how the GPU object was obtained, for error messages. */
  source: string;
}

let nodeGpu: Promise<GpuProvider> | undefined;

/** Returns the platform's GPU object, or undefined when the platform has none. */
export async function findGpu(): Promise<GpuProvider | undefined> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return { gpu: nav.gpu, source: 'navigator.gpu' };
  if (!isNode()) return undefined;
  nodeGpu ??= createNodeGpu();
  return nodeGpu;
}

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

async function createNodeGpu(): Promise<GpuProvider> {
  await chooseVulkanDriver();
  // A variable specifier keeps browser bundlers from trying to resolve the Node-only package.
  const specifier = 'webgpu';
  const dawn = (await import(/* @vite-ignore */ specifier)) as {
    create(flags: string[]): GPU;
    globals: Record<string, unknown>;
  };
  // Dawn's classes (GPUBufferUsage, GPUMapMode, …) are globals in browsers; mirror that.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  const icd = process.env.VK_ICD_FILENAMES;
  return {
    gpu: dawn.create(DAWN_FLAGS),
    source: `Dawn (npm 'webgpu')${icd ? ` with VK_ICD_FILENAMES=${icd}` : ''}`,
  };
}

/**
 * Points the Vulkan loader at the driver `LLMS_ADAPTER` names (`swiftshader`, `lavapipe`), or with
 * `auto` (the default), on a Linux machine with no GPU device nodes, at SwiftShader if it is
 * installed and the user chose no driver. The same rule as scripts/webgpu-env.mjs, for programs
 * started without it. This must happen before Dawn starts (the loader reads the variable once),
 * and only works on the main thread of the process.
 */
async function chooseVulkanDriver(): Promise<void> {
  if (process.platform !== 'linux') return;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const choice = process.env.LLMS_ADAPTER || 'auto';
  if (choice === 'swiftshader' || choice === 'lavapipe') {
    process.env.VK_ICD_FILENAMES = choice === 'lavapipe' ? LAVAPIPE_ICD : SWIFTSHADER_ICD;
    return;
  }
  if (choice !== 'auto')
    throw new Error(`LLMS_ADAPTER must be auto, swiftshader or lavapipe; got '${choice}'`);
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) return;
  const fsName = 'node:fs';
  const fs = (await import(/* @vite-ignore */ fsName)) as typeof import('node:fs');
  const hasGpuNode =
    fs.existsSync('/dev/nvidia0') ||
    (fs.existsSync('/dev/dri') && fs.readdirSync('/dev/dri').some((f) => f.startsWith('renderD')));
  if (!hasGpuNode && fs.existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}
