import { commandHelp } from '../args/help.js';
import { type ParsedArgs, parseCommandArgs } from '../args/parse.js';
import type { CommandSpec } from '../args/spec.js';
import type { CliIo } from '../io.js';
import { Reporter } from '../output/reporter.js';

/** What every command module exports: its spec (for help and dispatch) and `run`. */
export interface Command {
  spec: CommandSpec;
  /**
   * Runs the command with its own arguments (after the command name). Resolves to the result
   * object (also printed), or undefined when only help was shown. Throws UsageError, CliError or
   * CancelledError; cli.ts turns them into exit codes.
   */
  run(argv: readonly string[], io: CliIo): Promise<Record<string, unknown> | undefined>;
}

/** Parses the arguments; prints --help and returns undefined when it was asked for. */
export function start(
  spec: CommandSpec,
  argv: readonly string[],
  io: CliIo,
): { args: ParsedArgs; reporter: Reporter } | undefined {
  const args = parseCommandArgs(spec, argv);
  if (args.help) {
    io.stdout.write(commandHelp(spec));
    return undefined;
  }
  return { args, reporter: new Reporter(io, args) };
}
