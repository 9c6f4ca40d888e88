#!/usr/bin/env node
/**
 * The `llm-streamline` executable: wires the process (argv, streams, environment, signals) to
 * main() in cli.ts and exits with its code. The first SIGINT (Ctrl-C), SIGTERM or SIGHUP asks the
 * running command to stop (it cleans up and exits 130, 143 or 129); a second one exits at once,
 * and staging and temporary folders are still removed, synchronously, as the process exits
 * (stop-signals.ts, and the owned-folder registry of @llm-streamline/llm/node).
 */
import { removeTemporaryPathsSync } from '@llm-streamline/llm/node';
import { main } from './cli.js';
import { handleStopSignals } from './stop-signals.js';

const controller = new AbortController();
handleStopSignals(controller, (text) => process.stderr.write(text));
// Registered paths go on every exit, an uncaught error included (the registry also installs
// this on first use; installing it here too makes it independent of which module ran first).
process.on('exit', removeTemporaryPathsSync);

const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
  cwd: process.cwd(),
});
// Exit explicitly (the WebGPU device would keep the process alive), after the output is flushed.
await new Promise((resolve) => process.stdout.write('', resolve));
await new Promise((resolve) => process.stderr.write('', resolve));
process.exit(code);
