/**
 * Step 6 of the method: perplexity of the original, plain-removal and replaced models on the
 * held-out blocks. Run before assembly, so the original and plain-removal models can be evaluated
 * in place. Skipped without an evaluation text; on failure the replacement is freed.
 */
import type { DecoderBlock } from '@llm-streamline/llm';
import type { ResolvedOptions } from '../pipeline/defaults.js';
import { evaluateVariants } from '../pipeline/evaluate-variants.js';
import type { StreamlineReport } from '../pipeline/report.js';
import type { ChosenWindows } from './choose-window.js';
import type { RunClock } from './run-clock.js';

export async function evaluate(
  o: ResolvedOptions,
  blocks: readonly number[][] | undefined,
  windows: ChosenWindows,
  replacement: DecoderBlock | undefined,
  clock: RunClock,
): Promise<StreamlineReport['perplexity']> {
  if (blocks === undefined) return undefined;
  try {
    return await clock.timed('evaluation', () =>
      evaluateVariants(o.model, blocks, {
        ...windows,
        replacement,
        compareBaselines: o.compareBaselines !== false,
        source: o.evaluationSource ?? 'evaluation text',
        label: `${o.modelSource ?? 'the model'}, evaluation`,
        batchSize: o.batchSize,
        signal: o.signal,
        onProgress: clock.progress('evaluation', 'perplexity of the compared models'),
      }),
    );
  } catch (e) {
    replacement?.dispose();
    // perplexity() stops with its own error; report a cancellation as the signal's reason, as every other stage does.
    throw o.signal?.aborted ? o.signal.reason : e;
  }
}
