import { ffnReplacement } from './ffn.js';
import { layerReplacement } from './layer.js';
import { linearReplacement } from './linear.js';
import { noReplacement } from './none.js';
import type { ReplacementKind } from './replacement.js';

const registry = new Map<string, ReplacementKind>();

/**
 * Adds a replacement kind under its name; the pipeline, the CLI (`--replacement`, its option
 * flags, `--help`) and the web form pick it up from here. A name may be registered once.
 */
export function registerReplacement(kind: ReplacementKind): void {
  if (registry.has(kind.name))
    throw new Error(`a replacement called '${kind.name}' is already registered`);
  registry.set(kind.name, kind);
}

/** Every replacement kind by name, in registration order (the built-ins first). */
export const REPLACEMENTS: ReadonlyMap<string, ReplacementKind> = registry;

// The built-in kinds. Add one: write it in one file and register it here.
for (const kind of [noReplacement, layerReplacement, ffnReplacement, linearReplacement])
  registerReplacement(kind);

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
