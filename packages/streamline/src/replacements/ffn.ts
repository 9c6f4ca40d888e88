import { copy } from '@llm-streamline/tensor';
import { FfnBlock } from './ffn-block.js';
import type { ReplacementKind } from './replacement.js';

/**
 * The paper's lightweight option: one SwiGLU FFN (pre-RMSNorm, residual) in place of m = n + 1
 * layers, initialised from the window's first layer's MLP and post-attention norm (or randomly).
 */
export const ffnReplacement: ReplacementKind = {
  name: 'ffn',
  description:
    "a SwiGLU FFN with residual, initialised from the window's first layer's MLP, trained to map h_j to h_{j+m}",
  windowSize: (n) => n + 1,
  fit: 'train',
  create({ model, start, seed, ffnHidden, ffnInit = 'layer' }) {
    const hidden = ffnHidden ?? model.config.intermediateSize;
    const block = new FfnBlock(model.config, hidden, seed);
    if (ffnInit === 'layer') {
      if (hidden !== model.config.intermediateSize) {
        throw new RangeError(
          `ffn: cannot initialise a hidden size of ${hidden} from layer ${start}'s MLP (${model.config.intermediateSize}); use random initialisation`,
        );
      }
      const source = model.layers.at(start).stateDict();
      const own = block.stateDict();
      const copies = new Map(
        [...own.keys()].map((name) => [name, copy(source.get(name) as never)]),
      );
      block.loadStateDict(copies);
      for (const t of copies.values()) t.dispose();
    }
    return block;
  },
};
