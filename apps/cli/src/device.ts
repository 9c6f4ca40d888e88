import { totalmem } from 'node:os';
import { getDevice } from '@llm-streamline/tensor';

/**
 * Opens the WebGPU device before a command's real work, so a missing adapter is reported first
 * (cli.ts turns NoAdapterError into one line with what to install).
 */
export async function openDevice(): Promise<void> {
  await getDevice();
}

/**
 * The device memory budget of a run: `--device-memory` when given; otherwise, on a CPU adapter
 * (whose "device memory" is the system's), half the RAM, leaving the rest to the process, the
 * page cache and other programs; on a GPU none, as WebGPU does not report how much it has (a
 * model too large then fails with an out-of-memory error that suggests the flag).
 */
export async function deviceMemoryBudget(flag: number | undefined): Promise<number | undefined> {
  if (flag !== undefined) return flag;
  const device = await getDevice();
  return device.adapter.isCpu ? Math.floor(totalmem() / 2) : undefined;
}
