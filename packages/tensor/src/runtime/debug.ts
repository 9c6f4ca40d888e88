/**
 * The `DEBUG` switch: `DEBUG=llms:wgsl` prints each generated WGSL source once when compiled,
 * `DEBUG=llms:dispatch` times every dispatch (submits and waits per dispatch: slow, for study only),
 * `DEBUG=llms:device` prints the adapter, its limits and features when a device is created,
 * `DEBUG=llms:*` all three. In browsers set `globalThis.LLMS_DEBUG` to the same string.
 */
export interface DebugFlags {
  wgsl: boolean;
  dispatch: boolean;
  device: boolean;
}

export function readDebugFlags(): DebugFlags {
  const g = globalThis as {
    LLMS_DEBUG?: string;
    process?: { env?: Record<string, string | undefined> };
  };
  const value = g.LLMS_DEBUG ?? g.process?.env?.DEBUG ?? '';
  const parts = value.split(',').map((p) => p.trim());
  const on = (name: string) => parts.includes(`llms:${name}`) || parts.includes('llms:*');
  return { wgsl: on('wgsl'), dispatch: on('dispatch'), device: on('device') };
}
