import { createRegistry } from '../registry.js';
import { ffnReplacement } from './ffn.js';
import { layerReplacement } from './layer.js';
import { linearReplacement } from './linear.js';
import { noReplacement } from './none.js';
import type { ReplacementKind } from './replacement.js';

const kinds = createRegistry<ReplacementKind>('replacement');

/** Every replacement kind by name, in registration order (the built-ins first). */
export const REPLACEMENTS = kinds.entries;

/**
 * Adds a replacement kind under its name; the pipeline, the CLI (`--replacement`, its option
 * flags, `--help`) and the web form pick it up from here. A name may be registered once.
 */
export const registerReplacement = kinds.register;

/** The kind called `name`, or an error listing the known ones. */
export const replacementByName = kinds.byName;

// The built-in kinds. Add one: write it in one file and register it here.
for (const kind of [noReplacement, layerReplacement, ffnReplacement, linearReplacement])
  registerReplacement(kind);

export { FfnBlock } from './ffn-block.js';
export { choleskySolve, fitLeastSquares, LinearBlock } from './linear.js';
export type { ReplacementContext, ReplacementKind } from './replacement.js';
export { ffnReplacement, layerReplacement, linearReplacement, noReplacement };
