/** The run settings of the form, read and checked in one place. */
import {
  expectedValue,
  isValidValue,
  type OptionRecord,
  type StreamlineDefaults,
} from '@llm-streamline/streamline';
import { readDeviceMemoryField } from './device-memory-field.js';
import {
  FORM_DEFAULTS,
  fieldLabel,
  type SettingsField,
  settingsFields,
} from './settings-fields.js';

export interface RunSettings {
  layers: number;
  /** The general pipeline options, every one set (from the form, or its defaults). */
  options: StreamlineDefaults;
  /** The chosen metric's and kind's own options, by name. */
  metricOptions: OptionRecord;
  replacementOptions: OptionRecord;
  prompt: string;
  newTokens: number;
  /** The "Device memory" field in bytes; undefined when empty (the device's default applies). */
  deviceMemory: number | undefined;
}

/** Reads the form; throws naming the field when a value is not what its declaration expects. */
export function readSettings(doc: Document): RunSettings {
  const value = (id: string) =>
    (doc.getElementById(id) as HTMLInputElement | HTMLSelectElement).value;
  const general: Record<string, number | string | boolean> = {
    metric: value('metric'),
    replacement: value('replacement'),
  };
  const owned = {
    metric: {} as Record<string, unknown>,
    replacement: {} as Record<string, unknown>,
  };
  for (const field of settingsFields()) {
    const { owner, spec } = field;
    if (owner && value(owner.select) !== owner.name) continue;
    const read = readField(doc, field);
    if (read === undefined) continue;
    if (owner) owned[owner.select][spec.name] = read;
    else general[spec.name] = read;
  }
  return {
    layers: wholeNumber(doc, 'layers', 1),
    options: { ...FORM_DEFAULTS, ...general },
    metricOptions: owned.metric as OptionRecord,
    replacementOptions: owned.replacement as OptionRecord,
    prompt: value('prompt'),
    newTokens: wholeNumber(doc, 'new-tokens', 1),
    deviceMemory: readDeviceMemoryField(doc),
  };
}

/** One field's value as its declaration types it; undefined for an empty optional field. */
function readField(doc: Document, { spec }: SettingsField): number | string | boolean | undefined {
  const input = doc.getElementById(spec.flag) as HTMLInputElement | HTMLSelectElement;
  if (spec.type === 'boolean') return (input as HTMLInputElement).checked;
  if (spec.type === 'choice') return input.value;
  if (input.value.trim() === '' && spec.default === undefined && !input.required) return undefined;
  const n = input.value.trim() === '' ? Number.NaN : Number(input.value);
  if (!isValidValue(spec, n))
    throw new RangeError(
      `${fieldLabel(spec)}: expected ${expectedValue(spec)}, got "${input.value}".`,
    );
  return n;
}

/** A whole number ≥ min from the input `id` (the fields that are not pipeline options). */
function wholeNumber(doc: Document, id: string, min: number): number {
  const input = doc.getElementById(id) as HTMLInputElement;
  const n = Number(input.value);
  if (input.value.trim() === '' || !Number.isInteger(n) || n < min) {
    const label = doc.querySelector(`label[for="${id}"]`)?.textContent?.trim() ?? id;
    throw new RangeError(
      `${label}: expected a whole number of at least ${min}, got "${input.value}".`,
    );
  }
  return n;
}
