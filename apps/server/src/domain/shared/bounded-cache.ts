import { LRUCache } from 'lru-cache';
import type { Clock } from './clock.ts';

/**
 * The one bounded cache of the server: least-recently-used eviction past `maxEntries`. The
 * bound is a size budget of one per entry rather than lru-cache's `max`, which preallocates its
 * index arrays for `max` entries up front (15.7 MiB per million, measured) — several caches
 * sized for a 100k-collector fleet cost 150 MiB of RSS on an idle server that way.
 *
 * @example
 * const checked = boundedCache<string, true>(1_000_000);
 */
export function boundedCache<K extends string, V extends object | string | number | bigint | boolean>(
  maxEntries: number,
  options: Omit<LRUCache.Options<K, V, unknown>, 'max' | 'maxSize' | 'sizeCalculation'> = {},
): LRUCache<K, V> {
  return new LRUCache<K, V>({ ...options, maxSize: maxEntries, sizeCalculation: () => 1 });
}

/**
 * {@link boundedCache} whose entries expire `ttlMs` after they were set, by the injected
 * {@link Clock} (tests with a ManualClock see expiry exactly). A per-entry `ttl: 0` never
 * expires; `ttlMs: 0` means no caching at all (tests that must see every write).
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
  if (settings.ttlMs <= 0) return new KeepNothing<K, V>({ max: 1 });
  return boundedCache<K, V>(settings.maxEntries, {
    ttl: settings.ttlMs,
    // Expiry by the injected clock, read on every check (no 1 ms caching of `now`).
    perf: { now: () => clock.nowMs() },
    ttlResolution: 0,
  });
}

/** A cache that keeps nothing (`ttlMs: 0`). */
class KeepNothing<K extends string, V extends object> extends LRUCache<K, V> {
  override set(): this {
    return this;
  }
}
