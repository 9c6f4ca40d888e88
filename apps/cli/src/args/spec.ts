/** How a command describes its arguments: enough to parse them strictly and to print --help. */

/** One flag. Names are the long form without dashes (`block-length`). */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder for the value in help (`N`, `PATH`, `r`). */
  value?: string;
  description: string;
  /** Default as shown in help (the command applies it). */
  default?: string;
  /** Accepted but left out of --help (an old name kept for scripts). */
  hidden?: boolean;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

export interface PositionalSpec {
  name: string;
  description: string;
  optional?: boolean;
}

/** A command: its name, what it does, its arguments and examples (all shown by --help). */
export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** A paragraph for the command's own help. */
  description?: string;
  positionals: readonly PositionalSpec[];
  flags: FlagSpecs;
  examples: readonly { command: string; what: string }[];
}

/** Flags every command accepts. */
export const COMMON_FLAGS: FlagSpecs = {
  json: {
    type: 'boolean',
    description: 'machine-readable output: JSON lines on stdout (progress events, then one result)',
  },
  quiet: { type: 'boolean', short: 'q', description: 'print only the result and errors' },
  verbose: { type: 'boolean', short: 'v', description: 'print stack traces with errors' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
  config: {
    type: 'string',
    value: 'FILE',
    description:
      "read flags from a YAML or JSON file, keyed by the flags' names (block-length: 128); flags on the command line override it",
  },
};
