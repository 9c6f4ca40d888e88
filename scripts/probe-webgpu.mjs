#!/usr/bin/env node
// @ts-check
/**
 * Ask the `webgpu` package (Dawn) for an adapter in the current environment.
 * Prints what it found; exit 0 = adapter found, 1 = none, 2 = the webgpu package failed to load.
 * Usage: node scripts/probe-webgpu.mjs [--quiet]
 */
const quiet = process.argv.includes('--quiet');
const TIMEOUT_MS = 60_000;

/** @param {string} msg */
const say = (msg) => {
  if (!quiet) console.log(msg);
};

/** @type {typeof import('webgpu')} */
let webgpu;
try {
  webgpu = await import('webgpu');
} catch (err) {
  console.error(`probe-webgpu: cannot load the 'webgpu' package (run npm ci first?): ${err}`);
  process.exit(2);
}

const { create, globals } = webgpu;
Object.assign(globalThis, globals);
const timeout = new Promise((resolve) => setTimeout(() => resolve(null), TIMEOUT_MS).unref());
const adapter = await Promise.race([create([]).requestAdapter(), timeout]);
const icd = process.env.VK_ICD_FILENAMES
  ? ` (VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES})`
  : '';
if (!adapter) {
  say(`probe-webgpu: no WebGPU adapter${icd}`);
  process.exit(1);
}
const { vendor, architecture, description } = /** @type {GPUAdapter} */ (adapter).info;
const software = /swiftshader|llvmpipe|lavapipe/i.test(`${architecture} ${description}`);
say(
  `probe-webgpu: adapter ${[vendor, architecture, description].filter(Boolean).join(' / ')}` +
    `${software ? ' [software, CPU-emulated]' : ''}${icd}`,
);
// Dawn keeps the event loop alive; exit explicitly.
process.exit(0);
