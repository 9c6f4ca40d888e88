/**
 * One Dawn `GPU` object for every library in the benchmark, installed as `navigator.gpu` before any
 * of them is imported: ours, tfjs and jax-js then each request a device from the same adapter with
 * the same Dawn toggles (the ones our library sets for Node in src/device/gpu-provider.ts).
 */
import { existsSync, readdirSync } from 'node:fs';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const DAWN_FLAGS = ['enable-dawn-features=disable_robustness,disable_workgroup_init'];

/** Points the Vulkan loader at SwiftShader on Linux machines without GPU device nodes (as the library does). */
function useSwiftShaderWhenNoGpu(): void {
  if (process.platform !== 'linux' || process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES)
    return;
  const hasGpuNode =
    existsSync('/dev/nvidia0') ||
    (existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD')));
  if (!hasGpuNode && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
}

/** Creates the shared GPU object and the browser globals (GPUBufferUsage, GPUMapMode, …) peers expect. */
export async function installSharedGpu(): Promise<GPU> {
  useSwiftShaderWhenNoGpu();
  const dawn = (await import('webgpu')) as unknown as {
    create(flags: string[]): GPU;
    globals: Record<string, unknown>;
  };
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  const gpu = dawn.create(DAWN_FLAGS);
  // jax-js sniffs navigator.userAgent; Node 20 has no navigator at all.
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu, userAgent: `Node.js ${process.version}` },
    configurable: true,
    writable: true,
  });
  return gpu;
}
