#!/usr/bin/env node
// @ts-check
/**
 * Cross-platform `env.sh`: apply WebGPU environment defaults, then run a command.
 * Usage: node scripts/run.mjs <command> [args...]   (e.g. from an npm script)
 *
 * Signals: the child runs in this process's group, so it delivers each signal exactly once.
 * - SIGINT (Ctrl-C) and SIGHUP (terminal closed) are sent by the terminal to the whole foreground
 *   process group: the child has its own copy already. Forwarding it again would look like a
 *   second Ctrl-C ("quit at once"), so they are not forwarded, only kept from killing this
 *   process before the child has cleaned up and exited.
 * - SIGTERM is what `kill PID`, `npm`'s own forwarding and service managers send to one process:
 *   it is forwarded, once per event (copies within a moment of each other are one event).
 * The child's exit code is passed on as it is; a child killed by a signal gives 128 + its number
 * (what a shell reports), so the caller sees 130 / 143 / 129 through `npm run` too.
 * npm runs a script through `sh -c`, which does not forward SIGTERM; the npm scripts that use this
 * launcher for the CLI therefore start it with `exec`, making it npm's direct child.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { applyWebGPUEnv } from './webgpu-env.mjs';

/** Copies of one SIGTERM (sent to the group, and forwarded by npm) arrive within this many ms. */
const SAME_EVENT_MS = 300;

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: node scripts/run.mjs <command> [args...]');
  process.exit(2);
}
const child = spawn(cmd, args, {
  stdio: 'inherit',
  env: applyWebGPUEnv({ ...process.env }),
  shell: process.platform === 'win32',
});
// Group-wide signals: the child got its own; only survive them until the child exits.
for (const sig of /** @type {const} */ (['SIGINT', 'SIGHUP'])) process.on(sig, () => {});
let lastTerm = Number.NEGATIVE_INFINITY;
process.on('SIGTERM', () => {
  const now = performance.now();
  if (now - lastTerm < SAME_EVENT_MS) return;
  lastTerm = now;
  child.kill('SIGTERM');
});
child.on('error', (err) => {
  console.error(`scripts/run.mjs: cannot start ${cmd}: ${err.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  process.exit(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
});
