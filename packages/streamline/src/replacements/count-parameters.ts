import type { Module } from '@llm-streamline/autograd';

/**
 * The parameter count of a module built with `'empty'` placeholders (no memory, no kernel), which
 * are then freed: how a kind says how large its module will be before making it.
 */
export function countParameters(module: Module): number {
  try {
    return module.parameterCount();
  } finally {
    module.dispose();
  }
}
