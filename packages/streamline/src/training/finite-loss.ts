/**
 * A trained replacement whose kept validation loss is NaN or infinite has nothing to offer: the
 * loss before training was already not a number (non-finite hidden states from the model), and
 * no epoch improved on it. Training itself stops at a non-finite step loss and keeps the best
 * epoch; this is the case where even the best is not a number.
 */
import { NonFiniteResultError } from '@llm-streamline/llm';
import type { TrainResult } from './train-replacement.js';

/** Throws naming `label` (model and stage) when the kept epoch's validation loss is not finite. */
export function assertFiniteValidationLoss(result: TrainResult, label: string): void {
  const kept = result.validationLoss[result.bestEpoch];
  if (kept === undefined || Number.isFinite(kept)) return;
  throw new NonFiniteResultError(
    `${label}: the validation loss of the kept replacement (epoch ${result.bestEpoch}) is ${kept} — the model's hidden states are not finite`,
  );
}
