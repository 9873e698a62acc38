import type { Clock } from '../shared/clock.ts';
import type { Collector } from './collector.types.ts';
import type { FleetListener, FleetService } from './fleet.service.ts';

/**
 * Recently read collector records for hot polling paths (Alloy `GetConfig` every minute from
 * every collector). Entries live `ttlMs` — the bound on how long another replica's change
 * (deregistration, a liveness sweep) goes unnoticed here — and are dropped at once on this
 * replica's own deregistrations and revocations. Callers put back what they changed.
 */
export class CollectorCache implements FleetListener {
  private readonly entries = new Map<string, { collector: Collector; untilMs: number }>();

  constructor(
    private readonly fleet: FleetService,
    private readonly clock: Clock,
    private readonly settings: { ttlMs: number; maxEntries: number },
  ) {}

  async get(collectorId: string): Promise<Collector | undefined> {
    const nowMs = this.clock.nowMs();
    const hit = this.entries.get(collectorId);
    if (hit && hit.untilMs > nowMs) return hit.collector;
    const collector = await this.fleet.find(collectorId);
    if (collector) this.put(collector);
    else this.entries.delete(collectorId);
    return collector;
  }

  /** The cached record, or undefined when absent or expired (no storage access, no await). */
  peek(collectorId: string): Collector | undefined {
    const hit = this.entries.get(collectorId);
    return hit !== undefined && hit.untilMs > this.clock.nowMs() ? hit.collector : undefined;
  }

  /** Stores the record as the caller now knows it (after its own update). */
  put(collector: Collector): void {
    this.entries.delete(collector.id);
    if (this.entries.size >= this.settings.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(collector.id, { collector, untilMs: this.clock.nowMs() + this.settings.ttlMs });
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
