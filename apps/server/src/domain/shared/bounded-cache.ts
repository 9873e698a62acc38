import { LRUCache } from 'lru-cache';
import type { Clock } from './clock.ts';

/**
 * The one bounded cache of the domain: least-recently-used eviction past `maxEntries`, entries
 * expiring `ttlMs` after they were set, time read from the injected {@link Clock} (so tests
 * with a ManualClock see expiry exactly). A per-entry `ttl: 0` never expires. `ttlMs: 0` means no
 * caching at all (tests that must see every write): nothing is kept.
 *
 * @example
 * const verified = ttlCache<string, Verified>(clock, { maxEntries: 500_000, ttlMs: 10_000 });
 * verified.set(key, value);
 * verified.get(key); // undefined once 10 s have passed on `clock`
 */
export function ttlCache<K extends string, V extends object>(
  clock: Clock,
  settings: { readonly maxEntries: number; readonly ttlMs: number },
): LRUCache<K, V> {
  const options = {
    max: settings.maxEntries,
    ttl: settings.ttlMs,
    // Expiry by the injected clock, read on every check (no 1 ms caching of `now`).
    perf: { now: () => clock.nowMs() },
    ttlResolution: 0,
  };
  return settings.ttlMs > 0 ? new LRUCache<K, V>(options) : new KeepNothing<K, V>({ ...options, ttl: 1 });
}

/** A cache that keeps nothing (`ttlMs: 0`). */
class KeepNothing<K extends string, V extends object> extends LRUCache<K, V> {
  override set(): this {
    return this;
  }
}
