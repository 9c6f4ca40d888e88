/**
 * How a tunable setting declares itself, once: its option name, its command-line flag, its type,
 * range, default and help. The CLI builds its flags and their parsing from these declarations and
 * the web app builds its form fields from them, so neither keeps a list of its own.
 */

/** One declared option. `name` is the key in the options record, `flag` the CLI flag / form id. */
export type OptionSpec = NumberOptionSpec | ChoiceOptionSpec | BooleanOptionSpec;

interface BaseOptionSpec {
  /** Key in the options record (`blockLength`, or a kind's own `hidden`). */
  readonly name: string;
  /** Long command-line flag without dashes (`block-length`); also the web form field's id. */
  readonly flag: string;
  /** One line for `--help` and the form field's description. */
  readonly help: string;
  /** A short label for the web form (default: the flag). */
  readonly label?: string;
  /** Placeholder for the value in `--help` (`N`, `x`). */
  readonly value?: string;
  /** Shown in `--help` when there is no fixed default (`the model's intermediate size`). */
  readonly defaultText?: string;
  /** Rarely changed: the web form tucks it under "More settings". */
  readonly advanced?: boolean;
}

/** A whole number (`int`) or any finite number (`number`), within an optional range. */
export interface NumberOptionSpec extends BaseOptionSpec {
  readonly type: 'int' | 'number';
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
  /** `min` / `max` themselves are excluded (a learning rate > 0). */
  readonly exclusiveMin?: boolean;
  readonly exclusiveMax?: boolean;
}

/** One of a fixed list of strings. */
export interface ChoiceOptionSpec extends BaseOptionSpec {
  readonly type: 'choice';
  readonly choices: readonly string[];
  readonly default?: string;
}

/** On or off (a flag without a value). */
export interface BooleanOptionSpec extends BaseOptionSpec {
  readonly type: 'boolean';
  readonly default?: boolean;
}

/** An option's value as TypeScript sees it: a number, one of the choices, or a boolean. */
export type OptionValue<S extends OptionSpec> = S extends ChoiceOptionSpec
  ? S['choices'][number]
  : S extends BooleanOptionSpec
    ? boolean
    : number;

/**
 * The typed record a kind's `create()` receives for its declared options: an option with a
 * default is always present (the pipeline fills it in), one without may be absent.
 */
export type OptionValues<Specs extends readonly OptionSpec[]> = {
  [S in Specs[number] as S extends { default: unknown } ? S['name'] : never]: OptionValue<S>;
} & {
  [S in Specs[number] as S extends { default: unknown } ? never : S['name']]?: OptionValue<S>;
};

/** Untyped option values, as a caller hands them over (checked by resolveOptions). */
export type OptionRecord = Readonly<Record<string, number | string | boolean | undefined>>;

/** What `value` must be for `spec`, in words (`a whole number ≥ 1`), for error messages. */
export function expectedValue(spec: OptionSpec): string {
  if (spec.type === 'boolean') return 'true or false';
  if (spec.type === 'choice') return `one of ${spec.choices.join(', ')}`;
  const parts: string[] = [];
  if (spec.min !== undefined) parts.push(`${spec.exclusiveMin ? '>' : '≥'} ${spec.min}`);
  if (spec.max !== undefined) parts.push(`${spec.exclusiveMax ? '<' : '≤'} ${spec.max}`);
  return `${spec.type === 'int' ? 'a whole number' : 'a number'}${parts.length ? ` ${parts.join(' and ')}` : ''}`;
}

/** Whether `value` is acceptable for `spec` (type and range). */
export function isValidValue(spec: OptionSpec, value: unknown): boolean {
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'choice':
      return typeof value === 'string' && spec.choices.includes(value);
    default: {
      if (typeof value !== 'number' || !Number.isFinite(value)) return false;
      if (spec.type === 'int' && !Number.isSafeInteger(value)) return false;
      const { min, max, exclusiveMin, exclusiveMax } = spec;
      if (min !== undefined && (exclusiveMin ? value <= min : value < min)) return false;
      return !(max !== undefined && (exclusiveMax ? value >= max : value > max));
    }
  }
}

/**
 * The options `owner` (a replacement kind or a metric) declares, checked and with defaults filled
 * in: an unknown name or a value out of range is an error naming the owner, the option and what it
 * expects.
 */
export function resolveOptions(
  owner: string,
  specs: readonly OptionSpec[],
  given: OptionRecord = {},
): Record<string, number | string | boolean> {
  const known = new Map(specs.map((s) => [s.name, s]));
  const out: Record<string, number | string | boolean> = {};
  for (const [name, value] of Object.entries(given)) {
    if (value === undefined) continue;
    const spec = known.get(name);
    if (!spec)
      throw new RangeError(
        `${owner}: unknown option '${name}'; ${specs.length ? `it takes ${[...known.keys()].join(', ')}` : 'it takes none'}`,
      );
    if (!isValidValue(spec, value))
      throw new RangeError(`${owner}: ${name} must be ${expectedValue(spec)}, got ${value}`);
    out[name] = value;
  }
  for (const spec of specs)
    if (!(spec.name in out) && spec.default !== undefined) out[spec.name] = spec.default;
  return out;
}
