/**
 * The free-space half of the output preflight: once the model is loaded (its parameter count and
 * the written dtype known) and before any compute, the disk that will hold `--out` must have room
 * for the estimated output plus a margin, so a full disk is reported in seconds, not after the
 * whole run.
 */
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SaveDType } from '@llm-streamline/llm';
import { CliError } from './errors.js';
import { formatBytes } from './output/format.js';
import { nearestExistingFolder } from './output-path.js';

/** Bytes per written element of each save dtype. */
const SAVE_BYTES: Record<SaveDType, number> = { F32: 4, F16: 2, BF16: 2 };

/** Beyond the weights: config, streamline.json, report.html (tens of KiB each) and headers. */
const FIXED_OVERHEAD = 1024 * 1024;

/** The margin on top of the estimate: 5 % (file-system blocks, metadata). */
const MARGIN = 0.05;

/**
 * The bytes an output of `parameters` weights written as `dtype`, plus `extraBytes` (tokenizer
 * files), takes, with the margin. The input model's parameter count bounds a pruned one's.
 */
export function estimateOutputBytes(parameters: number, dtype: SaveDType, extraBytes = 0): number {
  return Math.ceil((parameters * SAVE_BYTES[dtype] + extraBytes + FIXED_OVERHEAD) * (1 + MARGIN));
}

/** Free bytes for this user on the disk holding `dir` (undefined where statfs is unsupported). */
export async function freeBytes(dir: string): Promise<number | undefined> {
  const s = await statfs(dir).catch(() => undefined);
  return s ? s.bavail * s.bsize : undefined;
}

/**
 * Throws a CliError naming `flag`, the path, the need and the free space when the disk that will
 * hold `out` has less than `needed` bytes free.
 */
export async function checkOutputRoom(out: string, flag: string, needed: number): Promise<void> {
  const parent = await nearestExistingFolder(dirname(out));
  const free = await freeBytes(parent);
  if (free === undefined || free >= needed) return;
  throw new CliError(
    `cannot write ${flag} ${out}: it needs about ${formatBytes(needed)} (the estimated output plus a margin) and the disk holding ${parent} has ${formatBytes(free)} free (ENOSPC); nothing was computed`,
    `free some space there, or choose ${flag} on another disk`,
  );
}
