import type { Clock } from './clock.ts';

/**
 * Counts failures per key (a source address, a user name) in a fixed window and says when a key
 * must wait. Memory is bounded: at most `maxKeys` keys are tracked, oldest evicted first, so a
 * flood of distinct keys cannot exhaust memory. Successful callers are never slowed.
 */
export class FailureThrottle {
  private readonly windows = new Map<string, { startMs: number; failures: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: { maxFailures: number; windowMs: number; maxKeys: number },
  ) {}

  /** Seconds until `key` may try again, or 0 when it may try now. */
  retryAfterSeconds(key: string): number {
    const window = this.windows.get(key);
    if (!window || window.failures < this.limits.maxFailures) return 0;
    const remainingMs = window.startMs + this.limits.windowMs - this.clock.nowMs();
    if (remainingMs <= 0) {
      this.windows.delete(key);
      return 0;
    }
    return Math.ceil(remainingMs / 1000);
  }

  recordFailure(key: string): void {
    const nowMs = this.clock.nowMs();
    const window = this.windows.get(key);
    if (window && nowMs - window.startMs < this.limits.windowMs) {
      window.failures += 1;
      return;
    }
    this.windows.delete(key);
    if (this.windows.size >= this.limits.maxKeys) {
      const oldest = this.windows.keys().next();
      if (!oldest.done) this.windows.delete(oldest.value);
    }
    this.windows.set(key, { startMs: nowMs, failures: 1 });
  }

  recordSuccess(key: string): void {
    this.windows.delete(key);
  }
}
