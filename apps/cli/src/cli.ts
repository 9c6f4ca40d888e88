/**
 * Dispatch and exit codes: finds the command, runs it, and turns whatever it throws into one
 * line on stderr (a stack only with --verbose) and an exit code: 0 ok, 1 failure, 2 usage error,
 * 130 cancelled (Ctrl-C), 143 stopped by SIGTERM, 129 by SIGHUP.
 */
import { MemoryBudgetError, NonFiniteResultError } from '@llm-streamline/llm';
import { DeviceLimitError } from '@llm-streamline/tensor';
import { mainHelp } from './args/help.js';
import type { Command } from './commands/command.js';
import { convert } from './commands/convert.js';
import { evalCommand } from './commands/eval.js';
import { generate } from './commands/generate.js';
import { inspect } from './commands/inspect.js';
import { prune } from './commands/prune.js';
import { score } from './commands/score.js';
import { CancelledError, CliError, EXIT, UsageError } from './errors.js';
import type { CliIo } from './io.js';
import { cliVersion } from './version.js';
import { writeError } from './write-errors.js';

/** Every command, in the order --help lists them. */
export const COMMANDS: readonly Command[] = [inspect, score, prune, evalCommand, generate, convert];

/** Runs `llm-streamline <argv>` and resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const specs = COMMANDS.map((c) => c.spec);
  if (name === undefined) {
    io.stderr.write(mainHelp(specs));
    return EXIT.usage;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = COMMANDS.find((c) => c.spec.name === rest[0]);
    if (topic) return main([topic.spec.name, '--help'], io);
    io.stdout.write(mainHelp(specs));
    return EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${version()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  const verbose = rest.includes('--verbose') || rest.includes('-v');
  const json = rest.includes('--json');
  try {
    if (!command)
      throw new UsageError(
        `unknown command '${name}'`,
        `choose one of ${specs.map((s) => s.name).join(', ')} (see --help)`,
      );
    await command.run(rest, io);
    return EXIT.ok;
  } catch (e) {
    return reportError(e, io, { verbose, json });
  }
}

/** Writes the one-line error (and the stack with --verbose) and picks the exit code. */
export function reportError(
  e: unknown,
  io: CliIo,
  { verbose, json }: { verbose: boolean; json: boolean },
): number {
  const { code, message } = describeError(e, io.signal.aborted, io.signal.reason);
  io.stderr.write(`llm-streamline: ${message}\n`);
  if (verbose && e instanceof Error && code !== EXIT.cancelled) {
    io.stderr.write(`${e.stack ?? e.message}\n`);
    if (e.cause instanceof Error)
      io.stderr.write(`caused by: ${e.cause.stack ?? e.cause.message}\n`);
  }
  if (json) io.stdout.write(`${JSON.stringify({ type: 'error', exitCode: code, message })}\n`);
  return code;
}

/**
 * What to say, and the exit code, for anything a command may throw. `reason` is the abort
 * signal's reason: a CancelledError naming the signal that stopped the run picks its exit code.
 */
export function describeError(
  e: unknown,
  aborted: boolean,
  reason?: unknown,
): { code: number; message: string } {
  if (aborted || e instanceof CancelledError) {
    const cancel =
      reason instanceof CancelledError ? reason : e instanceof CancelledError ? e : undefined;
    const by = cancel?.signal && cancel.signal !== 'SIGINT' ? ` by ${cancel.signal}` : '';
    return {
      code: cancel?.exitCode ?? EXIT.cancelled,
      message: `cancelled${by}; nothing was written`,
    };
  }
  const cannotWrite = writeError(e);
  if (cannotWrite)
    return { code: EXIT.failure, message: `${cannotWrite.message} — ${cannotWrite.hint}` };
  if (e instanceof UsageError) return { code: EXIT.usage, message: `${e.message} — ${e.hint}` };
  if (e instanceof CliError)
    return { code: EXIT.failure, message: e.hint ? `${e.message} — ${e.hint}` : e.message };
  if (e instanceof Error && e.name === 'NoAdapterError') {
    const tried = /Tried: (.*)\./.exec(e.message)?.[1];
    return {
      code: EXIT.failure,
      message:
        `no WebGPU adapter is available${tried ? ` (tried ${tried})` : ''} — ` +
        'without a GPU on Linux install the SwiftShader CPU driver (Debian/Ubuntu: apt-get install libvulkan1 chromium-common) ' +
        'and set VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json, or run bash scripts/setup.sh; ' +
        'with a GPU install its Vulkan, Metal or D3D12 driver',
    };
  }
  // A budget too small to stream even one layer: the library says the minimum; the flag is ours.
  if (e instanceof MemoryBudgetError)
    return {
      code: EXIT.failure,
      message: `${e.message.split(';')[0]} — give --device-memory ${MemoryBudgetError.suggestion(e.minimumBytes)} or more, or use a smaller --batch or --block-length`,
    };
  // A tensor too large for the adapter: the numbers, then what to change (not a corrupt file).
  if (e instanceof DeviceLimitError)
    return { code: EXIT.failure, message: `${e.summary} — ${e.hint}` };
  // A NaN or infinite perplexity or score: the message names the model and stage; say where to look.
  if (e instanceof NonFiniteResultError)
    return {
      code: EXIT.failure,
      message: `${e.message} — is the checkpoint corrupt (load it without --no-check-weights), or are its weights too large for --weights-dtype?`,
    };
  const text = e instanceof Error ? e.message : String(e);
  const first = text.split('\n')[0] ?? text;
  // Errors from the libraries name the file or option and what was expected; show them as they are.
  return { code: EXIT.failure, message: first };
}

function version(): string {
  return `llm-streamline ${cliVersion()}`;
}
