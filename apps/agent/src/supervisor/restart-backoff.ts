/** Restart timing of the supervised collector (config.yaml `supervisor.*`). */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** A process that stayed up at least this long counts as healthy: the next delay starts over. */
  readonly resetAfterMs: number;
}

/**
 * The delay before restart number `consecutiveExits` (0-based) of a crash loop: `initialMs`
 * doubling up to `maxMs`. With the defaults: 1 s, 2 s, 4 s, … 32 s, 60 s, 60 s, …
 */
export function backoffDelayMs(consecutiveExits: number, policy: BackoffPolicy): number {
  // Capping the exponent keeps 2 ** n finite however long the loop runs.
  const exponent = Math.min(consecutiveExits, 52);
  return Math.min(policy.initialMs * 2 ** exponent, policy.maxMs);
}

/** Tracks consecutive exits of one supervised process and answers how long to wait before the next start. */
export class RestartBackoff {
  private consecutiveExits = 0;

  constructor(private readonly policy: BackoffPolicy) {}

  /** Call once per exit with how long the process had been up; returns the delay before restarting it. */
  nextDelayMs(uptimeMs: number): number {
    if (uptimeMs >= this.policy.resetAfterMs) this.consecutiveExits = 0;
    const delayMs = backoffDelayMs(this.consecutiveExits, this.policy);
    this.consecutiveExits += 1;
    return delayMs;
  }
}
