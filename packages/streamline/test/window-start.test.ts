/**
 * `windowStart` forces the window: the layers that leave are the ones at j, whatever the scores say,
 * and the scores are still the metric's. Out of range, it fails before any work.
 */
import { describe, expect, it } from 'vitest';
import { type ScoredWindows, streamline, WindowStartError } from '../src/index.js';
import { loadStories260K, storiesParagraphs } from './helpers.js';

const TINY = { blockLength: 32, scoringBlocks: 2, batchSize: 2, seed: 0 } as const;

describe('windowStart', () => {
  it('removes the layers at j, not the most redundant ones, and records j', async () => {
    const { model, tokenizer } = await loadStories260K();
    try {
      const before = [...model.layers];
      const seen: string[] = [];
      let scored: ScoredWindows | undefined;
      const { report } = await streamline({
        onProgress: (e) => seen.push(e.stage),
        onScored: (s) => {
          scored = s;
          seen.push('scored');
        },
        model,
        tokenizer,
        calibrationText: await storiesParagraphs(0, 10),
        target: { layers: 1 },
        replacement: 'none',
        windowStart: 0,
        ...TINY,
      });
      const scores = report.scores['1'] as number[];
      // The forced window is not the one the metric would choose (else this proves nothing).
      const best = scores.indexOf(Math.max(...scores));
      expect(best).not.toBe(0);
      expect(report.removalWindow).toEqual({ start: 0, size: 1, score: scores[0] });
      expect(report.hyperparameters['window-start']).toBe(0);
      // onScored came once, right after scoring, with what the report then records.
      expect(seen.filter((s) => s === 'scored')).toHaveLength(1);
      expect(seen.lastIndexOf('scoring')).toBeLessThan(seen.indexOf('scored'));
      expect(scored).toEqual({
        model: report.model,
        metric: report.metric,
        scores: report.scores,
        layersRemoved: report.layersRemoved,
        window: report.window,
        removalWindow: report.removalWindow,
      });
      // The very layer objects 1…4 remain, in order: layer 0 left.
      const after = [...model.layers];
      expect(after).toHaveLength(4);
      for (const [k, layer] of after.entries()) expect(layer).toBe(before[k + 1]);
    } finally {
      model.dispose();
    }
  });

  it('fails before any work when the window does not fit', async () => {
    const { model, tokenizer } = await loadStories260K();
    const events: string[] = [];
    try {
      const run = streamline({
        model,
        tokenizer,
        calibrationText: 'Once upon a time.',
        target: { layers: 1 },
        replacement: 'ffn',
        windowStart: 4,
        onProgress: (e) => events.push(e.stage),
        ...TINY,
      });
      await expect(run).rejects.toThrow(WindowStartError);
      await expect(run).rejects.toThrow(
        'window start 4 is out of range: a window of m = 2 layers in a 5-layer model starts at 0…3',
      );
      expect(events).toEqual([]);
      expect(model.layers).toHaveLength(5);
    } finally {
      model.dispose();
    }
  });
});
