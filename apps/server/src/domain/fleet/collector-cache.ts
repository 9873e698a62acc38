import type { LRUCache } from 'lru-cache';
import type { Clock } from '../shared/clock.ts';
import { ttlCache } from '../shared/bounded-cache.ts';
import type { Collector } from './collector.types.ts';
import type { FleetListener, FleetService } from './fleet.service.ts';

/**
 * Recently read collector records for hot polling paths (Alloy `GetConfig` every minute from
 * every collector). Entries live `ttlMs` — the bound on how long another replica's change
 * (deregistration, a liveness sweep) goes unnoticed here — and are dropped at once on this
 * replica's own deregistrations and revocations. Callers put back what they changed.
 */
export class CollectorCache implements FleetListener {
  private readonly entries: LRUCache<string, Collector>;

  constructor(
    private readonly fleet: FleetService,
    clock: Clock,
    settings: { ttlMs: number; maxEntries: number },
  ) {
    this.entries = ttlCache(clock, { maxEntries: settings.maxEntries, ttlMs: settings.ttlMs });
  }

  async get(collectorId: string): Promise<Collector | undefined> {
    const hit = this.entries.get(collectorId);
    if (hit) return hit;
    const collector = await this.fleet.find(collectorId);
    if (collector) this.put(collector);
    else this.entries.delete(collectorId);
    return collector;
  }

  /** The cached record, or undefined when absent or expired (no storage access, no await). */
  peek(collectorId: string): Collector | undefined {
    return this.entries.get(collectorId);
  }

  /** Stores the record as the caller now knows it (after its own update); its TTL starts now. */
  put(collector: Collector): void {
    this.entries.set(collector.id, collector);
  }

  forget(collectorId: string): void {
    this.entries.delete(collectorId);
  }

  collectorDeregistered(collectorId: string): void {
    this.forget(collectorId);
  }

  bearersRevoked(collectorId: string): void {
    this.forget(collectorId);
  }
}
