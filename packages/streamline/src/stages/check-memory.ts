/**
 * Before any work, what a run streamed under a memory budget cannot do: train a replacement too
 * large for the budget (from the kind's parameter count), or fine-tune through every layer after
 * the window, which would need them all on the device. Failing here, not after scoring and the
 * training pairs, spares the user the wait.
 */
import type { ResolvedOptions } from '../pipeline/defaults.js';
import { expectTrainingFits } from './fit-replacement.js';
import type { RemovalPlan } from './plan-removal.js';

export function checkMemory(o: ResolvedOptions, { kind, kindOptions }: RemovalPlan): void {
  const memory = o.model.memoryPlan;
  if (memory?.mode !== 'streamed' || kind.fit !== 'train') return;
  if (o.finetuneEpochs > 0)
    throw new Error(
      'finetuneEpochs: the language-model stage trains through every layer after the window, which must then be on the device; it is not available when the model streams its weights (give a device memory budget the whole model fits in, or leave finetuning off)',
    );
  const parameters = kind.parameterCount?.(o.model, kindOptions);
  if (parameters !== undefined) expectTrainingFits(memory, 4 * parameters);
}
