/**
 * Whether ops record themselves for backward. Inference (evaluation, generation, scoring layers)
 * runs inside {@link noGrad}, so no graph is built and nothing is saved.
 */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs `fn` without recording a graph (sync or async; async calls must not interleave). */
export function noGrad<R>(fn: () => R): R {
  const previous = enabled;
  enabled = false;
  let result: R;
  try {
    result = fn();
  } catch (e) {
    enabled = previous;
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => {
      enabled = previous;
    }) as R;
  }
  enabled = previous;
  return result;
}
