import type {
  CollectorRejection,
  CollectorRejectionObserver,
  CollectorScope,
} from '../fleet/collector-auth.ts';
import { boundedCache } from '../shared/bounded-cache.ts';
import type { Clock } from '../shared/clock.ts';
import type { StorageOf } from '../shared/storage.port.ts';

/** At most one `telemetry_rejected` event per collector, reason and hour. */
export const rejectionEventPeriodMs = 60 * 60_000;

/** The server log line of each refusal (ARCHITECTURE §4), quoted in the event's detail. */
export function rejectionLogLine(reason: CollectorRejection): string {
  return reason === 'collector_deregistered'
    ? 'otlp.dispatch: unknown collectorId'
    : `otlp.auth: rejected reason=${reason}`;
}

/**
 * Self-telemetry pushes refused with credentials that can be pinned on one collector — one of
 * its own revoked or expired bearers, or a bearer of a deregistered collector — become a
 * `telemetry_rejected` event on it, so the topology's diagnosis and the Events tab can show the
 * refusal the server log holds. Bounded whatever the refused traffic: one event per collector,
 * reason and hour (the event store's dedupe key makes that hold across replicas; the in-memory
 * mark saves the write), and nothing for a bearer no collector ever held.
 */
export class TelemetryRejections implements CollectorRejectionObserver {
  private readonly recorded = boundedCache<string, number>(100_000);

  constructor(
    private readonly storage: StorageOf<'events'>,
    private readonly clock: Clock,
    private readonly onError: (error: unknown) => void,
  ) {}

  rejected(collectorId: string, reason: CollectorRejection, scope: CollectorScope): void {
    if (scope !== 'telemetry') return;
    const atMs = this.clock.nowMs();
    const period = Math.floor(atMs / rejectionEventPeriodMs);
    const key = `${collectorId}\u0000${reason}`;
    if (this.recorded.get(key) === period) return;
    this.recorded.set(key, period);
    this.storage.events
      .append({
        collectorId,
        type: 'telemetry_rejected',
        atMs,
        detail: rejectionLogLine(reason),
        dedupeKey: `telemetry_rejected:${reason}:${period}`,
      })
      .catch(this.onError);
  }
}
