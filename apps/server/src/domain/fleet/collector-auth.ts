import type { AuthThrottle } from '../shared/auth-throttle.ts';
import type { BearerCache } from './bearer-cache.ts';
import { bearerFrom, collectorTokenKind, type BearerRejection } from './fleet.service.ts';

/**
 * What a request may do: `control` (OpAMP, remotecfg, the agent API) needs the collector bearer;
 * `telemetry` (OTLP self-telemetry) also admits the collector's telemetry token, the one
 * rendered into its configs.
 */
export type CollectorScope = 'control' | 'telemetry';

/** Why a collector bearer was refused; each protocol logs `<protocol>.auth: rejected reason=<reason>`. */
export type CollectorRejection = BearerRejection | 'collector_deregistered';

/** The one result every collector protocol maps to its wire. */
export type CollectorAuth =
  | {
      readonly ok: true;
      readonly collectorId: string;
      readonly credentialId: string;
      /** The bearer itself (Alloy's served config embeds the one it presented). */
      readonly token: string;
    }
  | { readonly ok: false; readonly reason: BearerRejection }
  /** The bearer verified but its collector was deregistered (OTLP answers 404 for this one). */
  | { readonly ok: false; readonly reason: 'collector_deregistered'; readonly collectorId: string }
  | { readonly ok: false; readonly reason: 'throttled'; readonly retryAfterSeconds: number };

/**
 * Collector-bearer authentication (`lmct_`), the same for OTLP self-telemetry, OpAMP, Alloy
 * remotecfg and the linkmesh-agent API. It works on the `Authorization` header alone, so every
 * adapter calls it before reading, decompressing or decoding a body. Order: the failed-auth
 * throttle (only bearers not already verified wait: collectors behind the same NAT as a
 * misbehaving one carry on), the bearer (shape, known, not revoked, not expired), then the
 * collector it names still registered.
 */
/** Told of refusals that can be pinned on one collector (an old bearer of its own, or deregistered). */
export interface CollectorRejectionObserver {
  rejected(collectorId: string, reason: CollectorRejection, scope: CollectorScope): void;
}

export class CollectorAuthenticator {
  constructor(
    private readonly bearers: BearerCache,
    private readonly throttle: AuthThrottle,
    private readonly observer?: CollectorRejectionObserver,
  ) {}

  async authenticate(
    authorization: string | undefined,
    ip: string,
    scope: CollectorScope = 'control',
  ): Promise<CollectorAuth> {
    if (!admits(scope, authorization)) {
      this.throttle.recordFailure('collector', ip);
      return { ok: false, reason: 'token_unknown_or_revoked_or_expired' };
    }
    const cached = this.bearers.peek(authorization);
    if (cached === undefined) {
      const waitSeconds = this.throttle.retryAfterSeconds('collector', ip);
      if (waitSeconds > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: waitSeconds };
    }
    const verification = cached ? { ok: true as const, ...cached } : await this.bearers.verify(authorization);
    if (!verification.ok) {
      this.throttle.recordFailure('collector', ip);
      if (verification.collectorId !== undefined)
        this.observer?.rejected(verification.collectorId, verification.reason, scope);
      return { ok: false, reason: verification.reason };
    }
    if (!(await this.bearers.isLive(verification.collectorId))) {
      this.observer?.rejected(verification.collectorId, 'collector_deregistered', scope);
      return { ok: false, reason: 'collector_deregistered', collectorId: verification.collectorId };
    }
    return {
      ok: true,
      collectorId: verification.collectorId,
      credentialId: verification.credentialId,
      token: bearerFrom(authorization) ?? '',
    };
  }

  /**
   * The verified bearer when the answer is known without storage (a recent verification of a
   * live collector), else undefined: the synchronous fast path of fleet-volume polls.
   */
  peek(
    authorization: string | undefined,
    scope: CollectorScope = 'control',
  ): Extract<CollectorAuth, { ok: true }> | undefined {
    if (!admits(scope, authorization)) return undefined;
    const cached = this.bearers.peek(authorization);
    if (cached === undefined || this.bearers.peekLive(cached.collectorId) !== true) return undefined;
    return { ok: true, ...cached, token: bearerFrom(authorization) ?? '' };
  }
}

/** A telemetry token outside the telemetry scope is refused before any lookup. */
function admits(scope: CollectorScope, authorization: string | undefined): boolean {
  if (scope === 'telemetry') return true;
  const token = bearerFrom(authorization);
  return token === undefined || collectorTokenKind(token) !== 'telemetry';
}
