import type { Clock } from '../shared/clock.ts';
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
  private readonly verified = new Map<
    string,
    { collectorId: string; credentialId: string; untilMs: number }
  >();
  private readonly live = new Map<string, { live: boolean; untilMs: number }>();

  constructor(
    private readonly fleet: FleetService,
    private readonly clock: Clock,
    private readonly settings: BearerCacheSettings,
  ) {
    fleet.addListener(this);
  }

  async verify(authorization: string | undefined): Promise<BearerVerification> {
    const nowMs = this.clock.nowMs();
    if (authorization !== undefined) {
      const hit = this.verified.get(authorization);
      if (hit && hit.untilMs > nowMs)
        return { ok: true, collectorId: hit.collectorId, credentialId: hit.credentialId };
    }
    const result = await this.fleet.verifyBearer(authorization);
    if (result.ok && authorization !== undefined) {
      remember(
        this.verified,
        authorization,
        { ...result, untilMs: nowMs + this.settings.verifiedTtlMs },
        this.settings.maxEntries,
      );
    }
    return result;
  }

  /** The cached verification of `authorization`, or undefined (no storage access, no await). */
  peek(authorization: string | undefined): { collectorId: string; credentialId: string } | undefined {
    if (authorization === undefined) return undefined;
    const hit = this.verified.get(authorization);
    return hit !== undefined && hit.untilMs > this.clock.nowMs() ? hit : undefined;
  }

  /** True when `authorization` verified recently (no storage access). */
  isCached(authorization: string | undefined): boolean {
    if (authorization === undefined) return false;
    const hit = this.verified.get(authorization);
    return hit !== undefined && hit.untilMs > this.clock.nowMs();
  }

  /** The cached liveness of a collector, or undefined when not cached (no storage access). */
  peekLive(collectorId: string): boolean | undefined {
    const hit = this.live.get(collectorId);
    return hit !== undefined && hit.untilMs > this.clock.nowMs() ? hit.live : undefined;
  }

  /** True when the collector exists and is not deregistered. */
  async isLive(collectorId: string): Promise<boolean> {
    const nowMs = this.clock.nowMs();
    const hit = this.live.get(collectorId);
    if (hit && hit.untilMs > nowMs) return hit.live;
    const collector = await this.fleet.find(collectorId);
    const live = collector !== undefined && collector.deregisteredAtMs === null;
    remember(
      this.live,
      collectorId,
      { live, untilMs: nowMs + this.settings.liveTtlMs },
      this.settings.maxEntries,
    );
    return live;
  }

  bearersRevoked(collectorId: string): void {
    for (const [key, entry] of this.verified)
      if (entry.collectorId === collectorId) this.verified.delete(key);
  }

  collectorDeregistered(collectorId: string): void {
    this.live.set(collectorId, { live: false, untilMs: Number.POSITIVE_INFINITY });
  }
}

/** Insert with a size bound: the oldest entry goes first (Map keeps insertion order). */
function remember<V>(map: Map<string, V>, key: string, value: V, maxEntries: number): void {
  map.delete(key);
  if (map.size >= maxEntries) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}
