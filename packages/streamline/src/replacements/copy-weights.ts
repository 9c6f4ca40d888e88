import type { Module } from '@llm-streamline/autograd';
import { copy, type Tensor } from '@llm-streamline/tensor';

/**
 * Starts `target` from `source`'s parameters of the same names (every parameter `target` has):
 * how a replacement is initialised from the window's first layer. The copies are f32 and share no
 * storage with the model: the frozen model may hold its weights in 16 bits, while the
 * replacement is trained, and trained weights stay f32.
 */
export function copyWeightsFrom(target: Module, source: Module): void {
  const from = source.stateDict();
  const copies = new Map<string, Tensor>();
  try {
    for (const name of target.stateDict().keys()) {
      const t = from.get(name);
      if (!t) throw new Error(`copyWeightsFrom: the source has no parameter ${name}`);
      copies.set(name, copy(t, 'f32')); // a fresh f32 buffer, widened if the source is 16-bit
    }
    target.loadStateDict(copies);
  } finally {
    for (const t of copies.values()) t.dispose();
  }
}
