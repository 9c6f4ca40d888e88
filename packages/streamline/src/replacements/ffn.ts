import type { OptionSpec } from '../options/option-spec.js';
import { copyWeightsFrom } from './copy-weights.js';
import { countParameters } from './count-parameters.js';
import { FfnBlock } from './ffn-block.js';
import type { ReplacementKind } from './replacement.js';

/** The `ffn` kind's own options: `--ffn-hidden`, `--ffn-init` on the command line. */
const FFN_OPTIONS = [
  {
    name: 'hidden',
    flag: 'ffn-hidden',
    type: 'int',
    min: 1,
    label: 'FFN hidden size',
    help: "ffn replacement's hidden size (only the model's intermediate size can be saved)",
    defaultText: "the model's intermediate size",
  },
  {
    name: 'init',
    flag: 'ffn-init',
    type: 'choice',
    choices: ['layer', 'random'],
    default: 'layer',
    label: 'FFN initialisation',
    help: "ffn replacement's start: the window's first layer's MLP, or random weights",
  },
] as const satisfies readonly OptionSpec[];

/**
 * The paper's lightweight option: one SwiGLU FFN (pre-RMSNorm, residual) in place of m = n + 1
 * layers, initialised from the window's first layer's MLP and post-attention norm (or randomly).
 */
export const ffnReplacement: ReplacementKind<typeof FFN_OPTIONS> = {
  name: 'ffn',
  description:
    "a SwiGLU FFN with residual, initialised from the window's first layer's MLP, trained to map h_j to h_{j+m}",
  label: 'a trained feed-forward block',
  options: FFN_OPTIONS,
  windowSize: (n) => n + 1,
  fit: 'train',
  parameterCount: (model, { hidden = model.config.intermediateSize }) =>
    countParameters(new FfnBlock(model.config, hidden, 0, 'empty')),
  create({ model, start, seed }, { hidden = model.config.intermediateSize, init }) {
    const block = new FfnBlock(model.config, hidden, seed);
    if (init === 'layer') {
      if (hidden !== model.config.intermediateSize) {
        throw new RangeError(
          `ffn: cannot initialise a hidden size of ${hidden} from layer ${start}'s MLP (${model.config.intermediateSize}); use random initialisation`,
        );
      }
      copyWeightsFrom(block, model.layers.at(start));
    }
    return block;
  },
};
