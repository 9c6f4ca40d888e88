import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';
import { readConfigFile } from './config-file.js';
import { COMMON_FLAGS, type CommandSpec } from './spec.js';

/** Parsed flag values (strings or booleans, by flag name) and positionals. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  /** The common flags, already read. */
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  help: boolean;
}

/**
 * Strict parsing with node:util parseArgs: unknown flags, missing values and surplus positionals
 * are usage errors that name the flag and point at the command's --help.
 */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const flags = { ...spec.flags, ...COMMON_FLAGS };
  const options = Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [
      name,
      f.short ? { type: f.type, short: f.short } : { type: f.type },
    ]),
  );
  const hint = `see 'llm-streamline ${spec.name} --help'`;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (e) {
    throw new UsageError(describeParseError(e as Error & { code?: string }, argv), hint);
  }
  const given = parsed.values as Record<string, string | boolean | undefined>;
  // The command line wins over the file.
  const values =
    typeof given.config === 'string'
      ? { ...readConfigFile(given.config, flags, hint), ...given }
      : given;
  const help = values.help === true;
  const max = spec.positionals.length;
  if (!help && parsed.positionals.length > max) {
    const extra = parsed.positionals.slice(max).map((p) => `'${p}'`);
    throw new UsageError(
      `${spec.name}: unexpected argument${extra.length > 1 ? 's' : ''} ${extra.join(' ')} (it takes ${max === 0 ? 'no arguments' : spec.positionals.map((p) => (p.optional ? `[${p.name}]` : p.name)).join(' ')})`,
      hint,
    );
  }
  const required = spec.positionals.filter((p) => !p.optional);
  if (!help && parsed.positionals.length < required.length) {
    const missing = required.slice(parsed.positionals.length).map((p) => p.name);
    throw new UsageError(`${spec.name}: missing ${missing.join(' and ')}`, hint);
  }
  return {
    values,
    positionals: parsed.positionals,
    json: values.json === true,
    quiet: values.quiet === true,
    verbose: values.verbose === true,
    help,
  };
}

/** parseArgs' messages are long and mention internals; say what is wrong in our words. */
function describeParseError(e: Error & { code?: string }, argv: readonly string[]): string {
  const flag = /(--[a-z][\w-]*)/i.exec(e.message)?.[1] ?? /'(-[^'\s,]+)/.exec(e.message)?.[1];
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag ?? argv.find((a) => a.startsWith('-')) ?? ''}`.trim();
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const name = flag ?? 'a flag';
      if (/ambiguous/.test(e.message))
        return `${name} needs a value (for a value that starts with '-', write ${name}=VALUE)`;
      return /argument missing/.test(e.message)
        ? `${name} needs a value`
        : `${name} takes no value`;
    }
    default:
      return e.message;
  }
}
