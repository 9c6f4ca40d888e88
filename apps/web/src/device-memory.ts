/**
 * The "Device memory" setting: how many bytes the model and its work may hold on the WebGPU
 * device. A model whose weights and one batch's working set do not fit is loaded *streamed*: its
 * layers stay in the picked files (read as Blob slices) and are uploaded one at a time. The same
 * rule as the CLI's `--device-memory`: on a CPU adapter, whose memory is the computer's, half of
 * it by default; on a GPU no budget, since WebGPU does not say how much memory the GPU has.
 */
import { formatByteSize, parseByteSize } from '@llm-streamline/llm';

/** The id of the setting's input (named after the CLI flag, as the other fields are). */
export const DEVICE_MEMORY_ID = 'device-memory';
/** The label, which also names the field in its error messages. */
export const DEVICE_MEMORY_LABEL = 'Device memory';

/**
 * The budget when the field is empty: half of `computerGiB` (`navigator.deviceMemory`, in GiB,
 * which browsers round down and cap, at 8 in Chromium) on a CPU adapter, leaving the rest to the
 * browser and other programs; undefined (no budget) on a GPU, or when the browser does not say.
 */
export function defaultDeviceMemory(
  adapter: { isCpu: boolean },
  computerGiB: number | undefined,
): number | undefined {
  if (!adapter.isCpu || computerGiB === undefined || !(computerGiB > 0)) return undefined;
  return Math.floor((computerGiB * 2 ** 30) / 2);
}

/** `navigator.deviceMemory` (GiB), where the browser has it (Chromium does; it is not standard). */
export function computerMemoryGiB(nav: Navigator): number | undefined {
  const gib = (nav as Navigator & { deviceMemory?: number }).deviceMemory;
  return typeof gib === 'number' && gib > 0 ? gib : undefined;
}

/**
 * The field's value in bytes: undefined when empty (the default applies), else as `parseByteSize`
 * reads it (`256MiB`, `1.5GiB`, `512MB`); a RangeError naming the field and what it accepts.
 */
export function readDeviceMemory(text: string): number | undefined {
  if (text.trim() === '') return undefined;
  return parseByteSize(text, DEVICE_MEMORY_LABEL);
}

/** The placeholder that says what an empty field means on this device: `4.00 GiB (default)`. */
export function defaultDeviceMemoryText(budgetBytes: number | undefined): string {
  return `${budgetBytes === undefined ? 'no budget' : formatByteSize(budgetBytes)} (default)`;
}

/** The field's tooltip: what it does and what empty means. */
export const DEVICE_MEMORY_HELP =
  "Most bytes the model and its work may hold on the WebGPU device, such as 256MiB, 1.5GiB or 512MB. A model whose weights do not fit is streamed: its layers are read from the files and uploaded one at a time, slower but within the budget. Empty: half this computer's memory on a CPU adapter, no budget on a GPU (WebGPU does not say how much memory it has).";

/**
 * A message from the packages below in this page's words: the budget they speak of is this
 * page's Device memory field.
 */
export function inPageTerms(message: string): string {
  return message
    .replace(
      /give a budget of (\S+) or more/g,
      `set ${DEVICE_MEMORY_LABEL} (under More settings) to $1 or more`,
    )
    .replace(/give a device memory budget/g, `give a ${DEVICE_MEMORY_LABEL} (under More settings)`);
}
