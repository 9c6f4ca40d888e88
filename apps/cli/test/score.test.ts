/**
 * `score` end to end: the windows table equals the streamline API's scores computed in-process on
 * the same blocks (same draw), and the marked window is the one selectWindow picks.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadModelFromPath } from '@llm-streamline/llm/node';
import { cosineMetric, prepareCalibration, selectWindow } from '@llm-streamline/streamline';
import { getDevice } from '@llm-streamline/tensor';
import { describe, expect, it } from 'vitest';
import type { WindowTable } from '../src/commands/score.js';
import { ASSETS, jsonResult, runCli, STORIES_BIN } from './helpers.js';

const SETTINGS = [
  '--layers',
  '1',
  '--block-length',
  '64',
  '--scoring-blocks',
  '4',
  '--validation-blocks',
  '2',
  '--batch',
  '4',
  '--seed',
  '3',
];

describe('score', () => {
  it('prints the scores the streamline API computes, and marks its choice', async () => {
    const run = await runCli(['score', STORIES_BIN, ...SETTINGS, '--json']);
    expect(run.code, run.stderr).toBe(0);
    const r = jsonResult<{ windows: WindowTable[]; layerCosine: number[]; layersToRemove: number }>(
      run,
    );
    expect(r.layersToRemove).toBe(1);
    expect(r.windows.map((w) => w.size)).toEqual([2, 1]);

    await getDevice();
    const { model, tokenizer } = await loadModelFromPath(STORIES_BIN);
    const text = await readFile(join(ASSETS, 'text/tinystories-calibration.txt'), 'utf8');
    // The draw prune makes for a trained replacement: 2 validation blocks first, then 4 scoring.
    const splits = prepareCalibration(text, tokenizer as NonNullable<typeof tokenizer>, {
      blockLength: 64,
      scoringBlocks: 4,
      trainingBlocks: 0,
      validationBlocks: 2,
      seed: 3,
    });
    const expected = await cosineMetric.score(
      { model, blocks: splits.scoring, batchSize: 4 },
      [1, 2],
    );
    model.dispose();
    for (const w of r.windows) {
      const want = expected.get(w.size) as number[];
      expect(w.scores).toHaveLength(want.length);
      for (const [j, s] of w.scores.entries()) expect(s).toBeCloseTo(want[j] as number, 5);
      expect(w.chosen.start).toBe(selectWindow(cosineMetric, want, w.size).start);
    }
    for (const [j, s] of (expected.get(1) as number[]).entries())
      expect(r.layerCosine[j]).toBeCloseTo(s, 5);
  });

  it('shows the table with the chosen window marked, and the per-layer strip', async () => {
    const run = await runCli(['score', STORIES_BIN, ...SETTINGS, '--replacement', 'none']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/windows of m = 1 layer \(plain removal/);
    expect(run.stdout).not.toMatch(/m = 2/);
    const rows = run.stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\s+0\.\d{6}\s+\d+/.test(l));
    expect(rows).toHaveLength(5);
    const chosen = rows.filter((l) => l.includes('◀ chosen'));
    expect(chosen).toHaveLength(1);
    expect(chosen[0]).toMatch(/\s1\s+◀ chosen$/); // rank 1
    expect(run.stdout).toMatch(/^cos\s+[▁▂▃▄▅▆▇█]{5}\s/m);
    expect(run.stdout).not.toContain('\x1b['); // no colour when not a terminal
  });
});
