/**
 * `--device-memory`: stories260K (1.1 MB of f32 weights) under a 1 MiB budget streams its
 * layers, and `score` and `eval` give exactly what the resident model gives; the plan shows in
 * `inspect` and in the JSON results; a budget too small, or not a size, is refused saying why.
 */
import { describe, expect, it } from 'vitest';
import type { WindowTable } from '../src/commands/score.js';
import { HELDOUT, jsonResult, runCli, STORIES_BIN } from './helpers.js';

/** One block per batch keeps a layer's working set small enough to stream under 1 MiB. */
const SCORE = [
  '--layers',
  '1',
  '--block-length',
  '64',
  '--scoring-blocks',
  '4',
  '--validation-blocks',
  '2',
  '--batch',
  '1',
];
const BUDGET = 2 ** 20;

interface MemoryJson {
  mode: string;
  budgetBytes: number;
  stages: Record<string, { measuredPeakBytes: number }>;
  stream?: { bytesUploaded: number; fetches: number };
}

describe('--device-memory', () => {
  it('score streams under 1MiB and gives the resident scores exactly', async () => {
    const [resident, streamed] = await Promise.all([
      runCli(['score', STORIES_BIN, ...SCORE, '--json']),
      runCli(['score', STORIES_BIN, ...SCORE, '--device-memory', '1MiB', '--json']),
    ]);
    expect(resident.code, resident.stderr).toBe(0);
    expect(streamed.code, streamed.stderr).toBe(0);
    type Score = { windows: WindowTable[]; layerCosine: number[]; memory: MemoryJson };
    const whole = jsonResult<Score>(resident);
    const part = jsonResult<Score>(streamed);
    expect(part.windows).toEqual(whole.windows);
    expect(part.layerCosine).toEqual(whole.layerCosine);
    expect(part.memory.mode).toBe('streamed');
    expect(part.memory.budgetBytes).toBe(BUDGET);
    expect(part.memory.stages.scoring?.measuredPeakBytes).toBeLessThanOrEqual(BUDGET);
    // Each of the 5 layers once per group of batches the budget holds at once.
    expect((part.memory.stream?.fetches ?? 0) % 5).toBe(0);
  });

  it('eval streams and gives the resident perplexity exactly; the text names the plan', async () => {
    const args = ['eval', STORIES_BIN, '--data', HELDOUT, '--blocks', '4', '--batch', '1'];
    const [resident, streamed, text] = await Promise.all([
      runCli([...args, '--block-length', '64', '--json']),
      runCli([...args, '--block-length', '64', '--device-memory', '1MiB', '--json']),
      runCli([...args, '--block-length', '64', '--device-memory', '1MiB']),
    ]);
    expect(streamed.code, streamed.stderr).toBe(0);
    const whole = jsonResult<{ perplexity: number }>(resident);
    const part = jsonResult<{ perplexity: number; memory: MemoryJson }>(streamed);
    expect(part.perplexity).toBe(whole.perplexity);
    expect(part.memory.mode).toBe('streamed');
    expect(text.stdout).toMatch(
      /device memory: streamed within 1\.00 MiB, peak [\d.]+ KiB; uploaded [\d.]+ (KiB|MiB) in \d+ fetches/,
    );
  });

  it('inspect shows the plan for a budget', async () => {
    const run = await runCli(['inspect', STORIES_BIN, '--device-memory', '1MiB']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/memory plan {3}budget 1\.00 MiB: streamed — .* needs at least/);
  });

  it('a budget below one layer with one batch fails before any work, saying the minimum', async () => {
    const run = await runCli(['score', STORIES_BIN, ...SCORE, '--device-memory', '64KiB']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /device memory budget 64\.0 KiB is too small: .* needs at least [\d.]+ KiB — give --device-memory \d+MiB or more/,
    );
  });

  it('a value that is not a size is a usage error', async () => {
    const run = await runCli(['score', STORIES_BIN, '--device-memory', 'lots']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--device-memory must be a positive size such as 64MiB.*got 'lots'/);
  });
});
