/**
 * Flags generated from option declarations (streamline's OptionSpec): the pipeline's general
 * options, and each metric's and replacement kind's own. The flag's help, placeholder and default
 * come from the declaration, and so does its parsing (type and range), so a metric or kind added
 * to a registry has its flags here without a line of CLI code.
 */
import type { OptionSpec } from '@llm-streamline/streamline';
import type { ParsedArgs } from './parse.js';
import type { FlagSpec, FlagSpecs } from './spec.js';
import { boolFlag, enumFlag, intFlag, numberFlag } from './values.js';

/** The flag of one declared option; `shownDefault` overrides the declaration's own default. */
export function optionFlag(spec: OptionSpec, shownDefault?: unknown): FlagSpec {
  const value = spec.value ?? placeholder(spec);
  const fallback = shownDefault ?? spec.default ?? spec.defaultText;
  return {
    type: spec.type === 'boolean' ? 'boolean' : 'string',
    ...(value === undefined ? {} : { value }),
    description: spec.help,
    ...(fallback === undefined || spec.type === 'boolean' ? {} : { default: String(fallback) }),
  };
}

function placeholder(spec: OptionSpec): string | undefined {
  if (spec.type === 'int') return 'N';
  if (spec.type === 'number') return 'x';
  return spec.type === 'choice' ? spec.choices.join('|') : undefined;
}

/** Flags of `specs` by flag name; a flag already in `taken` is an error naming its owner. */
export function optionFlags(
  owner: string,
  specs: readonly OptionSpec[],
  taken: FlagSpecs,
  shownDefault: (spec: OptionSpec) => unknown = () => undefined,
): FlagSpecs {
  const flags: Record<string, FlagSpec> = {};
  for (const spec of specs) {
    if (spec.flag in taken || spec.flag in flags)
      throw new Error(`${owner}: the flag --${spec.flag} is already taken by another option`);
    flags[spec.flag] = optionFlag(spec, shownDefault(spec));
  }
  return flags;
}

/** The value of one declared option's flag (undefined when absent), checked against its range. */
export function readOption(
  values: ParsedArgs['values'],
  spec: OptionSpec,
): number | string | boolean | undefined {
  switch (spec.type) {
    case 'boolean':
      return boolFlag(values, spec.flag) || undefined;
    case 'choice':
      return enumFlag(values, spec.flag, spec.choices);
    case 'int':
      return intFlag(values, spec.flag, {
        min: spec.min ?? Number.MIN_SAFE_INTEGER,
        max: spec.max,
      });
    default:
      return numberFlag(values, spec.flag, spec);
  }
}

/** The given options among `specs`, by option name. */
export function readOptions(
  values: ParsedArgs['values'],
  specs: readonly OptionSpec[],
): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const spec of specs) {
    const value = readOption(values, spec);
    if (value !== undefined) out[spec.name] = value;
  }
  return out;
}
