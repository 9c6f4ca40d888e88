#!/usr/bin/env node
/**
 * The `llm-streamline` executable: wires the process (argv, streams, environment, Ctrl-C) to
 * main() in cli.ts and exits with its code. The first Ctrl-C asks the running command to stop
 * (it cleans up and exits 130); a second one exits at once.
 */
import { main } from './cli.js';
import { CancelledError, EXIT } from './errors.js';

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(EXIT.cancelled);
  process.stderr.write('\nstopping… (press Ctrl-C again to quit at once)\n');
  controller.abort(new CancelledError());
});

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
