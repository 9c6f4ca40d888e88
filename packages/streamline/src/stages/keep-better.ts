/**
 * After fitting, before evaluation: which model is assembled and exported. The replaced model
 * (window of m layers → the replacement) and plain removal of n layers (the removal window) are
 * scored by the language-model loss of the whole model (mean next-token cross-entropy, nats) on the
 * validation blocks, in one pass (the layers before the earlier window run once per batch).
 * `keep: 'best'` keeps the lower; 'replaced' and 'removal' keep theirs and still report both.
 *
 * Kinds without a replacement (none) are plain removal already. A kind fitted without validation
 * blocks (validationBlocks 0) cannot be compared, so `best` keeps the replacement and says so; the
 * linear kind draws validation blocks for this comparison (calibrate.ts) though it does not need
 * them to fit.
 */
import { type DecoderBlock, perplexityOfVariants } from '@llm-streamline/llm';
import type { CalibrationSplits } from '../calibration/calibration-data.js';
import type { ResolvedOptions } from '../pipeline/defaults.js';
import type { KeepDecision } from '../pipeline/keep-decision.js';
import type { ChosenWindows } from './choose-window.js';
import type { RunClock } from './run-clock.js';

export async function keepBetter(
  o: ResolvedOptions,
  windows: ChosenWindows,
  replacement: DecoderBlock | undefined,
  splits: CalibrationSplits,
  clock: RunClock,
): Promise<KeepDecision> {
  const mode = o.keep as KeepDecision['mode'];
  if (!replacement)
    return { mode, kept: 'removal', reason: 'the kind is plain removal: there is no replacement' };
  const blocks = splits.validation;
  if (blocks.length === 0)
    return {
      mode,
      kept: mode === 'removal' ? 'removal' : 'replaced',
      reason:
        mode === 'best'
          ? 'no validation blocks to compare on (validationBlocks 0): kept the replacement unchecked'
          : `asked for (keep: ${mode})`,
    };
  const losses = await clock.timed('evaluation', () =>
    validationLosses(o, windows, replacement, blocks, clock),
  );
  return decide(mode, losses, o.replacement);
}

/** Language-model loss (nats per token) of plain removal and of the replaced model on `blocks`. */
async function validationLosses(
  o: ResolvedOptions,
  { window, removalWindow }: ChosenWindows,
  replacement: DecoderBlock,
  blocks: number[][],
  clock: RunClock,
): Promise<{ removal: number; replaced: number; blocks: number }> {
  const layers = [...o.model.layers];
  const edited = (start: number, size: number, by: DecoderBlock[]) => {
    const list = [...layers];
    list.splice(start, size, ...by);
    return list;
  };
  const shared = Math.min(window.start, removalWindow.start);
  const variants = [
    edited(removalWindow.start, removalWindow.size, []),
    edited(window.start, window.size, [replacement]),
  ].map((v) => v.slice(shared));
  const [removal, replaced] = await perplexityOfVariants(o.model, blocks, shared, variants, {
    batchSize: o.batchSize,
    label: `${o.modelSource ?? 'the model'}, validation loss for keeping the better model`,
    variantNames: ['the model with the window removed', 'the model with the replacement'],
    onProgress: clock.progress(
      'evaluation',
      'validation loss of plain removal and the replacement',
    ),
    shouldStop: () => o.signal?.aborted ?? false,
  });
  if (!removal || !replaced) throw new Error('keep: the validation losses were not measured');
  return { removal: removal.meanNll, replaced: replaced.meanNll, blocks: blocks.length };
}

/** The decision from the two losses; ties keep the replacement (the method's own model). */
export function decide(
  mode: KeepDecision['mode'],
  validationLoss: NonNullable<KeepDecision['validationLoss']>,
  kind: string,
): KeepDecision {
  const { removal, replaced } = validationLoss;
  const replacementWins = replaced <= removal;
  const versus = `replaced ${replaced.toFixed(4)}, plain removal ${removal.toFixed(4)} nats/token`;
  const kept = mode === 'best' ? (replacementWins ? 'replaced' : 'removal') : mode;
  const reason =
    mode === 'best'
      ? `${replacementWins ? 'the replacement' : 'plain removal'} has the lower validation loss (${versus})`
      : `asked for (keep: ${mode}); validation loss ${versus}`;
  return {
    mode,
    kept,
    validationLoss,
    reason,
    ...(replacementWins
      ? {}
      : {
          advice:
            `the ${kind} replacement lost to plain removal: train it longer (more --training-blocks ` +
            'or --epochs), or try another kind (--replacement layer, linear, or ffn with --finetune-epochs)',
        }),
  };
}
