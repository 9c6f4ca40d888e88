/**
 * A named registry: the one list of a kind of thing (metrics, replacement kinds) that the pipeline,
 * the CLI and the web app all read. Extending it is one `register` call.
 */
export interface Registry<T extends { readonly name: string }> {
  /** Every entry by name, in registration order. */
  readonly entries: ReadonlyMap<string, T>;
  /** Adds `entry` under its name; a name may be registered once. */
  register(entry: T): void;
  /** The entry called `name`, or an error listing the known ones. */
  byName(name: string): T;
}

/** An empty registry of `what` (`metric`, `replacement`), for messages. */
export function createRegistry<T extends { readonly name: string }>(what: string): Registry<T> {
  const entries = new Map<string, T>();
  return {
    entries,
    register(entry) {
      if (entries.has(entry.name))
        throw new Error(`a ${what} called '${entry.name}' is already registered`);
      entries.set(entry.name, entry);
    },
    byName(name) {
      const entry = entries.get(name);
      if (!entry)
        throw new Error(
          `unknown ${what} '${name}'; choose one of: ${[...entries.keys()].join(', ')}`,
        );
      return entry;
    },
  };
}
