/**
 * @llm-streamline/cli — the `llm-streamline` command. Programmatic use: `main(argv, io)` runs a
 * command line and resolves to its exit code; each command's `run(argv, io)` resolves to its
 * result object.
 */

export { BUNDLED } from './bundled.js';
export { COMMANDS, describeError, main } from './cli.js';
export type { Command } from './commands/command.js';
export { convert } from './commands/convert.js';
export { evalCommand } from './commands/eval.js';
export { generate } from './commands/generate.js';
export { inspect } from './commands/inspect.js';
export { prune } from './commands/prune.js';
export { score } from './commands/score.js';
export { CancelledError, CliError, EXIT, UsageError } from './errors.js';
export { type Inspection, inspectModel } from './inspect/inspection.js';
export type { CliIo, Writable } from './io.js';
