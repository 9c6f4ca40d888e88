/**
 * Starts the WebGPU device and turns a failure into words a user can act on. The tensor package's
 * NoAdapterError lists what was tried; the title says which of the two cases this is.
 */
import { type Device, getDevice } from '@llm-streamline/tensor';
import type { BufferLimits } from './size-check.js';

export type GpuStatus =
  | { ok: true; device: Device; limits: BufferLimits; description: string }
  | { ok: false; title: string; details: string };

export async function startWebGpu(): Promise<GpuStatus> {
  try {
    const device = await getDevice();
    const a = device.adapter;
    const limits = {
      maxStorageBufferBindingSize: device.gpu.limits.maxStorageBufferBindingSize,
      maxBufferSize: device.gpu.limits.maxBufferSize,
    };
    const name =
      [a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' ') ||
      'unnamed adapter';
    return {
      ok: true,
      device,
      limits: simulatedLimits(limits),
      description: `WebGPU ready: ${name}${a.isCpu ? ' (a CPU adapter: correct but slow, so keep the budget small)' : ''}.`,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!('gpu' in navigator))
      return {
        ok: false,
        title: 'WebGPU is not available in this browser, so nothing can run here.',
        details: `Open this page in Chrome or Edge 113 or newer (on Linux, start Chromium with --enable-unsafe-webgpu), or in a Safari or Firefox version with WebGPU turned on. The page must be served from localhost or over HTTPS.\n\nDetails: ${message}`,
      };
    return {
      ok: false,
      title: 'This browser has WebGPU but could not get a GPU adapter.',
      details: `Turn on hardware acceleration in the browser settings, update the graphics driver, or try another browser.\n\nDetails: ${message}`,
    };
  }
}

/**
 * `?maxBufferBytes=N` caps the limits the app checks models against, to see (and test) the
 * "too big for this adapter" message on any machine.
 */
function simulatedLimits(limits: BufferLimits): BufferLimits {
  const cap = Number(new URLSearchParams(location.search).get('maxBufferBytes'));
  if (!(cap > 0)) return limits;
  return {
    maxStorageBufferBindingSize: Math.min(limits.maxStorageBufferBindingSize, cap),
    maxBufferSize: Math.min(limits.maxBufferSize, cap),
  };
}
