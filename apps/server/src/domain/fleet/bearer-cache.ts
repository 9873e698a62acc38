import type { LRUCache } from 'lru-cache';
import type { Clock } from '../shared/clock.ts';
import { ttlCache } from '../shared/bounded-cache.ts';
import type { BearerVerification, FleetListener, FleetService } from './fleet.service.ts';

export interface BearerCacheSettings {
  /** How long a positive verification is reused (other replicas see revocations within this). */
  readonly verifiedTtlMs: number;
  /** How long "this collector is live" is reused. */
  readonly liveTtlMs: number;
  readonly maxEntries: number;
}

/**
 * Keeps the fleet-volume paths (OTLP pushes, remotecfg polls) off the database: positive bearer
 * verifications and collector liveness are remembered briefly. Revocations and deregistrations
 * made by this process drop the entries at once (FleetListener); those made by another replica
 * take effect within the TTLs. Failed verifications are never cached (the failure throttle
 * bounds their cost instead).
 */
export class BearerCache implements FleetListener {
  private readonly verified: LRUCache<string, { collectorId: string; credentialId: string }>;
  private readonly live: LRUCache<string, { live: boolean }>;

  constructor(
    private readonly fleet: FleetService,
    clock: Clock,
    settings: BearerCacheSettings,
  ) {
    this.verified = ttlCache(clock, { maxEntries: settings.maxEntries, ttlMs: settings.verifiedTtlMs });
    this.live = ttlCache(clock, { maxEntries: settings.maxEntries, ttlMs: settings.liveTtlMs });
    fleet.addListener(this);
  }

  async verify(authorization: string | undefined): Promise<BearerVerification> {
    const hit = this.peek(authorization);
    if (hit) return { ok: true, ...hit };
    const result = await this.fleet.verifyBearer(authorization);
    if (result.ok && authorization !== undefined)
      this.verified.set(authorization, {
        collectorId: result.collectorId,
        credentialId: result.credentialId,
      });
    return result;
  }

  /** The cached verification of `authorization`, or undefined (no storage access, no await). */
  peek(authorization: string | undefined): { collectorId: string; credentialId: string } | undefined {
    return authorization === undefined ? undefined : this.verified.get(authorization);
  }

  /** The cached liveness of a collector, or undefined when not cached (no storage access). */
  peekLive(collectorId: string): boolean | undefined {
    return this.live.get(collectorId)?.live;
  }

  /** True when the collector exists and is not deregistered. */
  async isLive(collectorId: string): Promise<boolean> {
    const hit = this.peekLive(collectorId);
    if (hit !== undefined) return hit;
    const collector = await this.fleet.find(collectorId);
    const live = collector !== undefined && collector.deregisteredAtMs === null;
    this.live.set(collectorId, { live });
    return live;
  }

  bearersRevoked(collectorId: string): void {
    for (const [key, entry] of this.verified.entries())
      if (entry.collectorId === collectorId) this.verified.delete(key);
  }

  /** Deregistration is final: remembered without expiry (until evicted). */
  collectorDeregistered(collectorId: string): void {
    this.live.set(collectorId, { live: false }, { ttl: 0 });
  }
}
