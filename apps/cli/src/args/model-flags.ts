/**
 * The flags of every command that loads a model onto the GPU (eval, generate, score, prune):
 * declared once so that they read and check the same everywhere.
 */
import { WEIGHTS_DTYPE_CHOICES, type WeightsDTypeChoice } from '@llm-streamline/llm';
import type { FlagSpecs } from './spec.js';
import { boolFlag, byteSizeFlag, enumFlag, stringFlag, type Values } from './values.js';

export const MODEL_FLAGS: FlagSpecs = {
  tokenizer: {
    type: 'string',
    value: 'PATH',
    description: 'tokenizer file or folder, for models without one beside them',
  },
  'weights-dtype': {
    type: 'string',
    value: WEIGHTS_DTYPE_CHOICES.join('|'),
    description:
      "dtype of the weight matrices on the device; auto keeps the checkpoint's (a BF16 model stays 2 bytes per parameter)",
    default: 'auto',
  },
  'device-memory': {
    type: 'string',
    value: 'SIZE',
    description:
      'most device memory the model and its work may take (e.g. 64MiB, 1.5GiB); a model that does not fit streams its layers from the checkpoint one at a time. Default: half the RAM on a CPU adapter; unlimited on a GPU (WebGPU does not report its memory)',
  },
  'no-check-weights': {
    type: 'boolean',
    description:
      'skip the check, on the device at load, that no weight is NaN or infinite (a corrupt checkpoint fails it, naming the tensor)',
  },
};

/** What {@link MODEL_FLAGS} ask for (undefined: the loader's default). */
export function modelFlagValues(values: Values): {
  tokenizerPath: string | undefined;
  weightsDtype: WeightsDTypeChoice | undefined;
  deviceMemory: number | undefined;
  /** False with `--no-check-weights`; undefined (the loader's default: check) otherwise. */
  checkFinite: false | undefined;
} {
  return {
    tokenizerPath: stringFlag(values, 'tokenizer'),
    weightsDtype: enumFlag(values, 'weights-dtype', WEIGHTS_DTYPE_CHOICES),
    deviceMemory: byteSizeFlag(values, 'device-memory'),
    checkFinite: boolFlag(values, 'no-check-weights') ? false : undefined,
  };
}
