import DataLoader from "dataloader";

type Key = { toString(): string };

/**
 * The DataLoaders of one execution: an HTTP request, or one event of a subscription (each event
 * gets a fresh registry, so nothing loaded for one event is served stale to the next). A loader
 * is keyed by its name and every parameter its batch function closes over, so two loaders that
 * differ in a parameter (another user's progress) never share a cache.
 */
export class Loaders {
  private readonly loaders = new Map<string, DataLoader<Key, unknown, string>>();
  private readonly held = new Map<string, unknown>();

  get<K extends Key, V>(name: string, params: readonly Key[], batch: (keys: readonly K[]) => Promise<V[]>): DataLoader<K, V, string> {
    const id = idOf(name, params);
    let loader = this.loaders.get(id) as DataLoader<K, V, string> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V, string>(batch, { cacheKeyFn: (key) => String(key) });
      this.loaders.set(id, loader as DataLoader<Key, unknown, string>);
    }
    return loader;
  }

  /**
   * Keeps what this execution read in full (every enrollment of a user), named like a loader, so
   * that fields answer from it at once: a loader answers only through a promise. `undefined` forgets it.
   */
  hold<T>(name: string, params: readonly Key[], value: T | undefined): void {
    const id = idOf(name, params);
    if (value === undefined) this.held.delete(id);
    else this.held.set(id, value);
  }

  /** What `hold` kept under this name, if anything. */
  holding<T>(name: string, params: readonly Key[]): T | undefined {
    return this.held.get(idOf(name, params)) as T | undefined;
  }
}

function idOf(name: string, params: readonly Key[]): string {
  return [name, ...params.map(String)].join("\u0000");
}

/**
 * `found` rearranged in the order of `keys` (`$in` keeps no order), `missing` where nothing
 * matched: what a DataLoader batch function must return.
 */
export function inKeyOrder<T, M>(keys: readonly Key[], found: readonly T[], keyOf: (item: T) => Key, missing: M): (T | M)[] {
  const byKey = new Map(found.map((item) => [String(keyOf(item)), item]));
  return keys.map((key) => byKey.get(String(key)) ?? missing);
}

/** Like `inKeyOrder`, for one-to-many: every key's items, in the order found. */
export function groupedInKeyOrder<T>(keys: readonly Key[], found: readonly T[], keyOf: (item: T) => Key): T[][] {
  const byKey = new Map<string, T[]>();
  for (const item of found) {
    const key = String(keyOf(item));
    const group = byKey.get(key);
    if (group) group.push(item);
    else byKey.set(key, [item]);
  }
  return keys.map((key) => byKey.get(String(key)) ?? []);
}
