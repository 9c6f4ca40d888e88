import { ffnReplacement } from './ffn.js';
import { layerReplacement } from './layer.js';
import { linearReplacement } from './linear.js';
import { noReplacement } from './none.js';
import type { ReplacementKind } from './replacement.js';

/** Every replacement kind by name. Add one: write it in one file and list it here. */
export const REPLACEMENTS: ReadonlyMap<string, ReplacementKind> = new Map(
  [noReplacement, layerReplacement, ffnReplacement, linearReplacement].map((r) => [r.name, r]),
);

/** The kind called `name`, or an error listing the known ones. */
export function replacementByName(name: string): ReplacementKind {
  const kind = REPLACEMENTS.get(name);
  if (!kind)
    throw new Error(
      `unknown replacement '${name}'; choose one of: ${[...REPLACEMENTS.keys()].join(', ')}`,
    );
  return kind;
}

export { FfnBlock } from './ffn-block.js';
export { choleskySolve, fitLeastSquares, LinearBlock } from './linear.js';
export type { ReplacementContext, ReplacementKind } from './replacement.js';
export { ffnReplacement, layerReplacement, linearReplacement, noReplacement };
