import type { LRUCache } from 'lru-cache';
import type { Clock } from './clock.ts';
import { ttlCache } from './bounded-cache.ts';

/**
 * Counts failures per key (a source address, a user name) in a fixed window and says when a key
 * must wait. Memory is bounded: at most `maxKeys` keys are tracked, least recently used evicted
 * first, each forgotten when its window ends, so a flood of distinct keys cannot exhaust memory.
 * Successful callers are never slowed.
 */
export class FailureThrottle {
  private readonly windows: LRUCache<string, { startMs: number; failures: number }>;

  constructor(
    private readonly clock: Clock,
    private readonly limits: { maxFailures: number; windowMs: number; maxKeys: number },
  ) {
    this.windows = ttlCache(clock, { maxEntries: limits.maxKeys, ttlMs: limits.windowMs });
  }

  /** Seconds until `key` may try again, or 0 when it may try now. */
  retryAfterSeconds(key: string): number {
    const window = this.windows.get(key);
    if (!window || window.failures < this.limits.maxFailures) return 0;
    const remainingMs = window.startMs + this.limits.windowMs - this.clock.nowMs();
    return remainingMs <= 0 ? 0 : Math.ceil(remainingMs / 1000);
  }

  recordFailure(key: string): void {
    const window = this.windows.get(key);
    if (window) {
      window.failures += 1; // the window keeps its start (and its expiry)
      return;
    }
    this.windows.set(key, { startMs: this.clock.nowMs(), failures: 1 });
  }

  recordSuccess(key: string): void {
    this.windows.delete(key);
  }
}
