/**
 * Scopes free intermediates automatically. Every tensor created while a scope is open is
 * registered with it; when the scope ends, all of them are disposed except those the scope
 * function returns (which move to the enclosing scope) and those passed to {@link keep}.
 *
 * ```ts
 * const y = scope(() => relu(add(matmul(x, w), b))); // the matmul and add results are freed
 * ```
 *
 * Async scope functions are supported, but two async scopes must not interleave (await one before
 * starting the next), because the scope stack is global.
 */

/**
 * Objects that hold tensors without being one (a module, an autograd variable) list them under
 * this symbol so a scope that returns such an object keeps what it holds.
 */
export const heldTensors: unique symbol = Symbol.for('llm-streamline.heldTensors') as never;

/** What a scope tracks: anything that can be disposed. */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const stack: Set<Disposable>[] = [];
const kept = new WeakSet<Disposable>();

/** Called by the Tensor constructor. */
export function track(t: Disposable): void {
  stack[stack.length - 1]?.add(t);
}

/** Exempts tensors from every enclosing scope's clean-up (e.g. parameters created inside a scope). */
export function keep<T extends Disposable>(t: T): T {
  kept.add(t);
  for (const s of stack) s.delete(t);
  return t;
}

export function scope<R>(fn: () => R): R {
  stack.push(new Set());
  let result: R;
  try {
    result = fn();
  } catch (e) {
    close(undefined);
    throw e;
  }
  if (result instanceof Promise) {
    return result.then(
      (r) => {
        close(r);
        return r;
      },
      (e) => {
        close(undefined);
        throw e;
      },
    ) as R;
  }
  close(result);
  return result;
}

function close(result: unknown): void {
  const tracked = stack.pop() as Set<Disposable>;
  const survivors = new Set<Disposable>();
  collect(result, survivors, 0);
  const parent = stack[stack.length - 1];
  for (const t of tracked) {
    if (survivors.has(t)) parent?.add(t);
    else if (!kept.has(t) && !t.isDisposed) t.dispose();
  }
}

/** Finds disposables in a scope's result: the value itself, arrays, Maps and plain objects. */
function collect(value: unknown, into: Set<Disposable>, depth: number): void {
  if (value === null || typeof value !== 'object' || depth > 8) return;
  if ('dispose' in value && 'isDisposed' in value) into.add(value as Disposable);
  const held = (value as { [heldTensors]?: () => Iterable<unknown> })[heldTensors];
  if (held) for (const v of held.call(value)) collect(v, into, depth + 1);
  if ('dispose' in value || held) return;
  if (Array.isArray(value)) for (const v of value) collect(v, into, depth + 1);
  else if (value instanceof Map) for (const v of value.values()) collect(v, into, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) collect(v, into, depth + 1);
}
