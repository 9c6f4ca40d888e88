/**
 * The form's pipeline fields, as data, from streamline's declarations: the general options
 * (PIPELINE_OPTIONS), and the options each registered metric and replacement kind declares. Both
 * the form (settings-form.ts) and reading it (settings.ts) walk this one list, so a metric or kind
 * registered before the page starts has its fields without a line of web code.
 */
import {
  METRICS,
  type OptionSpec,
  PIPELINE_OPTIONS,
  REPLACEMENTS,
  STREAMLINE_DEFAULTS,
  type StreamlineDefaults,
} from '@llm-streamline/streamline';
import { WEB_PRESET } from './web-preset.js';

/** Which choice a field belongs to; general options belong to none and are always shown. */
export type FieldOwner = { select: 'metric' | 'replacement'; name: string };

export interface SettingsField {
  spec: OptionSpec;
  /** The value the form starts with (the preset over the shared defaults, or the declaration's). */
  initial?: number | string | boolean;
  owner?: FieldOwner;
}

/** The defaults the form starts from: STREAMLINE_DEFAULTS with the browser's preset on top. */
export const FORM_DEFAULTS: StreamlineDefaults = { ...STREAMLINE_DEFAULTS, ...WEB_PRESET };

/** Every pipeline field of the form, general ones first, then each metric's and kind's own. */
export function settingsFields(): SettingsField[] {
  const general = PIPELINE_OPTIONS.map((spec) => ({
    spec: spec as OptionSpec,
    initial: FORM_DEFAULTS[spec.name],
  }));
  const owned = (select: FieldOwner['select'], registry: typeof METRICS | typeof REPLACEMENTS) =>
    [...registry.values()].flatMap((owner) =>
      (owner.options ?? []).map((spec) => ({
        spec,
        initial: spec.default,
        owner: { select, name: owner.name },
      })),
    );
  return [...general, ...owned('metric', METRICS), ...owned('replacement', REPLACEMENTS)];
}

/** The label text of a field: its declared label, or its flag. */
export function fieldLabel(spec: OptionSpec): string {
  return spec.label ?? spec.flag;
}
