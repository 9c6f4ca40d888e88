/**
 * The flags shared by `score` and `prune` that map onto StreamlineOptions, generated at run time
 * from streamline's declarations: the general options (PIPELINE_OPTIONS, defaults from
 * STREAMLINE_DEFAULTS), the METRICS and REPLACEMENTS registries for --metric and --replacement,
 * and the options each metric and kind declares. A metric or kind registered before the command
 * runs is offered, documented and parsed like the built-in ones.
 */
import {
  METRICS,
  type OptionSpec,
  PIPELINE_OPTIONS,
  type PipelineOptionSpec,
  REPLACEMENTS,
  STREAMLINE_DEFAULTS,
} from '@llm-streamline/streamline';
import { UsageError } from '../errors.js';
import { MODEL_FLAGS, modelFlagValues } from './model-flags.js';
import { optionFlags, readOptions } from './option-flags.js';
import type { ParsedArgs } from './parse.js';
import type { FlagSpecs } from './spec.js';
import { enumFlag, removalTarget, stringFlag } from './values.js';

type Values = ParsedArgs['values'];

/** The general options of one part of the method, as flags, with STREAMLINE_DEFAULTS shown. */
export function stageFlags(stage: PipelineOptionSpec['stage'], taken: FlagSpecs = {}): FlagSpecs {
  const specs = PIPELINE_OPTIONS.filter((s) => s.stage === stage);
  return optionFlags('pipeline', specs as readonly OptionSpec[], taken, (s) =>
    s.type === 'boolean'
      ? undefined
      : STREAMLINE_DEFAULTS[s.name as keyof typeof STREAMLINE_DEFAULTS],
  );
}

/** The general options of one part of the method that were given, by option name. */
export function stageOptions(values: Values, stage: PipelineOptionSpec['stage']) {
  const specs = PIPELINE_OPTIONS.filter((s) => s.stage === stage) as readonly OptionSpec[];
  return readOptions(values, specs);
}

/** Flags of the scoring half of the method (both `score` and `prune`). */
export function scoringFlags(): FlagSpecs {
  const flags: FlagSpecs = {
    data: {
      type: 'string',
      value: 'TEXT',
      description: 'calibration text file (documents separated by blank lines)',
      default: 'the bundled TinyStories calibration text',
    },
    layers: {
      type: 'string',
      value: 'n',
      description: 'layers to remove (net); default a quarter of the layers',
    },
    ratio: {
      type: 'string',
      value: 'r',
      description: 'or: the fraction of parameters to remove, 0 < r < 1 (whole layers)',
    },
    metric: {
      type: 'string',
      value: 'NAME',
      description: `window importance metric: ${[...METRICS.keys()].join('|')}`,
      default: STREAMLINE_DEFAULTS.metric,
    },
    replacement: {
      type: 'string',
      value: 'KIND',
      description: `replacement: ${[...REPLACEMENTS.keys()].join('|')} (window of n+1 layers; n for none)`,
      default: STREAMLINE_DEFAULTS.replacement,
    },
    // The flag's name before it matched the option and report field; kept for scripts.
    replace: {
      type: 'string',
      value: 'KIND',
      description: 'old name of --replacement',
      hidden: true,
    },
  };
  const withStage = { ...flags, ...stageFlags('scoring', flags) };
  const metricFlags = ownerFlags(METRICS, 'metric', withStage);
  return {
    ...withStage,
    ...metricFlags,
    ...MODEL_FLAGS,
  };
}

/** The options both commands read from scoringFlags() (undefined: the pipeline default). */
export function scoringOptions(values: Values) {
  const metric = enumFlag(values, 'metric', [...METRICS.keys()]);
  return {
    target: removalTarget(values),
    metric,
    metricOptions: ownerOptions(values, METRICS, 'metric', metric ?? STREAMLINE_DEFAULTS.metric),
    replacement: replacementFlag(values),
    ...stageOptions(values, 'scoring'),
    dataPath: stringFlag(values, 'data'),
    ...modelFlagValues(values),
  };
}

/** Flags of the fitting half (`prune` only): training options, then every kind's own options. */
export function trainingFlags(taken: FlagSpecs): FlagSpecs {
  const flags = stageFlags('training', taken);
  return { ...flags, ...ownerFlags(REPLACEMENTS, 'replacement', { ...taken, ...flags }) };
}

/** Training options, and the chosen kind's own options, from trainingFlags(). */
export function trainingOptions(values: Values) {
  const kind = replacementFlag(values) ?? STREAMLINE_DEFAULTS.replacement;
  return {
    ...stageOptions(values, 'training'),
    replacementOptions: ownerOptions(values, REPLACEMENTS, 'replacement', kind),
  };
}

/** `--replacement KIND`, or its old name `--replace` (not both). */
function replacementFlag(values: Values): string | undefined {
  const names = [...REPLACEMENTS.keys()];
  const kind = enumFlag(values, 'replacement', names);
  const old = enumFlag(values, 'replace', names);
  if (kind !== undefined && old !== undefined)
    throw new UsageError('give --replacement or --replace (its old name), not both');
  return kind ?? old;
}

type Owners = ReadonlyMap<string, { readonly options?: readonly OptionSpec[] }>;

/** The flags of every registered metric's (or kind's) own options. */
function ownerFlags(registry: Owners, what: string, taken: FlagSpecs): FlagSpecs {
  let flags: FlagSpecs = {};
  for (const [name, owner] of registry)
    flags = {
      ...flags,
      ...optionFlags(`${what} '${name}'`, owner.options ?? [], { ...taken, ...flags }),
    };
  return flags;
}

/**
 * The chosen metric's (or kind's) options that were given. A flag of another one is a usage error:
 * it would otherwise be ignored without a word.
 */
function ownerOptions(values: Values, registry: Owners, what: string, chosen: string) {
  for (const [name, owner] of registry) {
    if (name === chosen) continue;
    const given = (owner.options ?? []).find((s) => values[s.flag] !== undefined);
    if (given)
      throw new UsageError(
        `--${given.flag} is an option of the ${name} ${what}, not of ${chosen}`,
        `add --${what} ${name}, or leave out --${given.flag}`,
      );
  }
  return readOptions(values, registry.get(chosen)?.options ?? []);
}
