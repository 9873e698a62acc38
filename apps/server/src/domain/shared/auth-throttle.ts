import type { Clock } from './clock.ts';
import { FailureThrottle } from './failure-throttle.ts';

/**
 * The credential kinds a caller can guess at. Each kind has its own failure count per source
 * address, so a misconfigured collector behind a NAT does not slow the operators' logins from
 * the same address, yet guessing any kind of token is slowed the same way.
 */
export type GuessableCredential = 'collector' | 'enrollment' | 'operator' | 'login';

export interface AuthThrottleSettings {
  /** Failures one address may make per credential kind in one window. */
  readonly failuresPerWindow: number;
  readonly windowSeconds: number;
  /** Failed logins for one username from one address per window (the stricter, second key). */
  readonly loginFailuresPerUserPerWindow: number;
}

/** Bounds the tracked keys: a flood of distinct addresses cannot exhaust memory. */
const maxTrackedKeys = 100_000;

/**
 * The one failed-authentication throttle of the server (issue #9: one configuration for every
 * credential kind and the login). Callers ask `retryAfterSeconds` before verifying and call
 * `recordFailure` after a refusal; a verified caller is never slowed, and a credential that is
 * already known good (a cached bearer) is verified without asking.
 *
 * @example
 * const wait = throttle.retryAfterSeconds('collector', ip);
 * if (wait > 0) return reject('throttled', wait);
 * if (!(await verify())) throttle.recordFailure('collector', ip);
 */
export class AuthThrottle {
  private readonly perAddress: FailureThrottle;
  private readonly perLogin: FailureThrottle;

  constructor(clock: Clock, settings: AuthThrottleSettings) {
    const windowMs = settings.windowSeconds * 1000;
    this.perAddress = new FailureThrottle(clock, {
      maxFailures: settings.failuresPerWindow,
      windowMs,
      maxKeys: maxTrackedKeys,
    });
    this.perLogin = new FailureThrottle(clock, {
      maxFailures: settings.loginFailuresPerUserPerWindow,
      windowMs,
      maxKeys: maxTrackedKeys,
    });
  }

  /** Seconds until `ip` may try a credential of `kind` again; 0 when it may try now. */
  retryAfterSeconds(kind: GuessableCredential, ip: string): number {
    return this.perAddress.retryAfterSeconds(`${kind}\u0000${ip}`);
  }

  recordFailure(kind: GuessableCredential, ip: string): void {
    this.perAddress.recordFailure(`${kind}\u0000${ip}`);
  }

  /**
   * Logins are throttled per address and per (address, username): guessing one user's password
   * from one place is slowed early, while the real user logging in from a clean address is not
   * locked out by someone else's failures.
   */
  loginRetryAfterSeconds(ip: string, username: string): number {
    return Math.max(
      this.perAddress.retryAfterSeconds(`login\u0000${ip}`),
      this.perLogin.retryAfterSeconds(loginKey(ip, username)),
    );
  }

  recordLoginFailure(ip: string, username: string): void {
    this.perAddress.recordFailure(`login\u0000${ip}`);
    this.perLogin.recordFailure(loginKey(ip, username));
  }

  /** A successful login clears that user's count at that address (not the address's). */
  recordLoginSuccess(ip: string, username: string): void {
    this.perLogin.recordSuccess(loginKey(ip, username));
  }
}

const loginKey = (ip: string, username: string) => `${ip}\u0000${username}`;
