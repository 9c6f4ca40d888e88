/**
 * The WebGPU adapter's limits on one tensor, for `inspect`'s fit check. `inspect` needs no GPU:
 * without an adapter it says so and reports the estimate alone.
 */
import { getDevice, NoAdapterError } from '@llm-streamline/tensor';
import type { AdapterLimits } from './memory-estimate.js';

/** The adapter's limits, or why there is none. */
export async function adapterLimits(): Promise<AdapterLimits | { unavailable: string }> {
  try {
    const device = await getDevice();
    const a = device.adapter;
    return {
      description:
        a.description || [a.vendor, a.device].filter(Boolean).join(' ') || 'unnamed adapter',
      isCpu: a.isCpu,
      maxBufferSize: device.limits.maxBufferSize,
      maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    };
  } catch (e) {
    if (e instanceof NoAdapterError)
      return { unavailable: 'no WebGPU adapter, so its limits are unknown' };
    throw e;
  }
}
