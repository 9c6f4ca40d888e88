/** `prune`'s summary line on the baselines for the same n. */
import type { StreamlineReport } from '@llm-streamline/streamline';
import { describe, expect, it } from 'vitest';
import { baselinesLine } from '../src/output/baselines-line.js';

const report = (baselines: StreamlineReport['baselines']) => ({ baselines }) as StreamlineReport;

describe('baselinesLine', () => {
  it('names each method, the layers it removes and its perplexity', () => {
    expect(
      baselinesLine(
        report([
          { method: 'short-gpt', description: '', layers: [2, 5], scores: [], perplexity: 6.1204 },
          { method: 'ppl-window', description: '', layers: [3], scores: [] },
        ]),
      ),
    ).toBe(
      'same n by other methods: ShortGPT removes layers 2, 5 (perplexity 6.120); ppl window removes layer 3',
    );
  });

  it('is absent when no baselines were compared', () => {
    expect(baselinesLine(report(undefined))).toBeUndefined();
    expect(baselinesLine(report([]))).toBeUndefined();
  });
});
