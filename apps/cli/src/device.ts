import { getDevice } from '@llm-streamline/tensor';

/**
 * Opens the WebGPU device before a command's real work, so a missing adapter is reported first
 * (cli.ts turns NoAdapterError into one line with what to install).
 */
export async function openDevice(): Promise<void> {
  await getDevice();
}
