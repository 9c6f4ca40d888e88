#!/usr/bin/env node
// @ts-check
/**
 * Cross-platform `env.sh`: apply WebGPU environment defaults, then run a command.
 * Usage: node scripts/run.mjs <command> [args...]   (e.g. from an npm script)
 */
import { spawn } from 'node:child_process';
import { applyWebGPUEnv } from './webgpu-env.mjs';

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
for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(sig, () => child.kill(sig));
}
child.on('error', (err) => {
  console.error(`scripts/run.mjs: cannot start ${cmd}: ${err.message}`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
