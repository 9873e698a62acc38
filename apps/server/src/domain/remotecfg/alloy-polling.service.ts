import type { CollectorConfigService } from '../collector-config/collector-config.service.ts';
import { boundedCache } from '../shared/bounded-cache.ts';
import type { CollectorCache } from '../fleet/collector-cache.ts';
import type { Collector } from '../fleet/collector.types.ts';
import { lastSeenWriteIntervalMs, type FleetService } from '../fleet/fleet.service.ts';
import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import type { AlloyCaller, AlloyConfigAnswer, AlloyPoll } from './alloy-poll.types.ts';

/** What the adapter logs; the domain says what happened, the adapter how it is written. */
export interface AlloyPollingObserver {
  registered?(collectorId: string, reportedId: string, method: string): void;
  identityChanged?(collectorId: string, reportedId: string, firstId: string): void;
  configFailed?(collectorId: string, hash: string, errorMessage: string): void;
  configServed?(collectorId: string, hash: string): void;
}

/**
 * Grafana Alloy's remotecfg polling as the fleet sees it (protocols.md §3): every call is a sign
 * of life; first contact records `registered`; another `id` on the same bearer records
 * `identity_changed`; reported attributes become labels (`collector.*` excluded) and OS/version;
 * apply statuses become `config_applied` / `config_failed`; the reported effective config is
 * kept (redacted); the served content is the collector's current config version
 * (CollectorConfigService), the same whichever of its bearers polls. The Connect adapter
 * (protocols/remotecfg) only translates messages to and from these calls.
 */
export class AlloyPollingService {
  /** `id`s already recorded as an identity change, per collector (saves a write per poll). */
  private readonly reportedIds = boundedCache<string, string>(100_000);
  constructor(
    private readonly fleet: FleetService,
    private readonly collectors: CollectorCache,
    private readonly clock: Clock,
    private readonly config: CollectorConfigService,
    private readonly observer: AlloyPollingObserver = {},
  ) {}

  /**
   * The steady poll — nothing to record, collector cached, `lastSeenAt` fresh, attributes
   * unchanged, hash current — answered synchronously, without storage or an await. False sends
   * the call the full way ({@link getConfig}). Every Alloy polls every minute; this is most calls.
   */
  isSteadyPoll(poll: AlloyPoll, caller: AlloyCaller): boolean {
    if (poll.status !== undefined || poll.effectiveConfig !== undefined) return false;
    const collector = this.collectors.peek(caller.collectorId);
    if (
      collector === undefined ||
      collector.deregisteredAtMs !== null ||
      collector.status !== 'connected' ||
      collector.instanceUid !== poll.reportedId ||
      collector.lastSeenAtMs === null ||
      this.clock.nowMs() - collector.lastSeenAtMs >= lastSeenWriteIntervalMs ||
      attributeChanges(collector, poll.attributes) !== undefined
    )
      return false;
    const delivered = this.config.peek(collector.id);
    return delivered !== undefined && poll.hash === delivered.hashHex;
  }

  /** A GetConfig: records what the poll says, then answers the content or `notModified`. */
  async getConfig(poll: AlloyPoll, caller: AlloyCaller): Promise<AlloyConfigAnswer> {
    const collector = await this.collectorOf(caller);
    const current = await this.contact(collector, poll.reportedId, 'GetConfig');
    await this.syncAttributes(current, poll.attributes);
    if (poll.status) await this.recordStatus(collector.id, poll.status, poll.hash);
    if (poll.effectiveConfig !== undefined)
      await this.fleet.recordEffectiveConfig(collector.id, poll.effectiveConfig);
    const { content, hashHex } = await this.config.current(current);
    if (poll.hash === hashHex) return { notModified: true };
    this.observer.configServed?.(collector.id, hashHex);
    return { notModified: false, content, hash: hashHex };
  }

  async register(poll: AlloyPoll, caller: AlloyCaller): Promise<void> {
    const collector = await this.collectorOf(caller);
    const current = await this.contact(collector, poll.reportedId, 'RegisterCollector');
    await this.syncAttributes(current, poll.attributes);
  }

  async unregister(caller: AlloyCaller): Promise<void> {
    const collector = await this.collectorOf(caller);
    await this.fleet.setConnectionStatus(collector.id, 'disconnected', 'remotecfg: UnregisterCollector');
    this.collectors.forget(collector.id);
  }

  /** The caller's record; deregistered since its bearer was checked → `unauthenticated`. */
  private async collectorOf(caller: AlloyCaller): Promise<Collector> {
    const collector = await this.collectors.get(caller.collectorId);
    if (collector && collector.deregisteredAtMs === null) return collector;
    throw new DomainError('unauthenticated', 'collector deregistered');
  }

  /**
   * Every call is a sign of life (`connected`, `lastSeenAt`). First contact records `registered`
   * once and remembers the `id`; another `id` later records `identity_changed` once per new id.
   */
  private async contact(collector: Collector, reportedId: string, method: string): Promise<Collector> {
    let current = collector;
    if (collector.instanceUid === null) {
      if (reportedId !== '') {
        await this.fleet.updateFromAgent(collector.id, { instanceUid: reportedId });
        current = { ...current, instanceUid: reportedId };
      }
      await this.fleet.recordEvent(
        collector.id,
        'registered',
        `alloy via remotecfg (id ${reportedId})`,
        'remotecfg:registered',
      );
      this.observer.registered?.(collector.id, reportedId, method);
    } else if (
      reportedId !== '' &&
      reportedId !== collector.instanceUid &&
      this.reportedIds.get(collector.id) !== reportedId
    ) {
      await this.fleet.recordEvent(
        collector.id,
        'identity_changed',
        `remotecfg id ${reportedId} presented the bearer first used by ${collector.instanceUid}`,
        `remotecfg:identity:${reportedId}`,
      );
      this.reportedIds.set(collector.id, reportedId);
      this.observer.identityChanged?.(collector.id, reportedId, collector.instanceUid);
    }
    current = (await this.fleet.markSeen(collector.id, `remotecfg ${method}`, current)) ?? current;
    // Only a record this call changed goes back: re-putting an unchanged one would extend its
    // TTL for ever under steady polling and hide other replicas' changes.
    if (current !== collector) this.collectors.put(current);
    return current;
  }

  private async syncAttributes(collector: Collector, attributes: Readonly<Record<string, string>>) {
    const changes = attributeChanges(collector, attributes);
    if (changes === undefined) return;
    if (changes.labels !== undefined) {
      await this.fleet.setLabels(collector.id, changes.labels);
      this.collectors.put({ ...collector, labels: changes.labels });
    }
    if (changes.os !== undefined || changes.version !== undefined) {
      await this.fleet.updateFromAgent(collector.id, { os: changes.os, version: changes.version });
      this.collectors.forget(collector.id);
    }
  }

  private async recordStatus(collectorId: string, status: NonNullable<AlloyPoll['status']>, hash: string) {
    const state = status.state === 'applied' ? 'APPLIED' : status.state === 'failed' ? 'FAILED' : 'APPLYING';
    await this.config.recordApply(collectorId, hash, state, status.errorMessage.slice(0, 1000));
    if (state === 'FAILED') this.observer.configFailed?.(collectorId, hash, status.errorMessage);
  }
}

/**
 * What the reported attributes would change on the record: labels (`collector.*` excluded) and
 * the reserved `collector.os` / `collector.version`. Undefined when nothing changes.
 */
function attributeChanges(
  collector: Collector,
  attributes: Readonly<Record<string, string>>,
): { labels?: Record<string, string>; os?: string; version?: string } | undefined {
  const keys = Object.keys(attributes);
  if (keys.length === 0) return undefined;
  const labels: Record<string, string> = {};
  for (const key of keys) if (!key.startsWith('collector.')) labels[key] = attributes[key] ?? '';
  const os = attributes['collector.os'];
  const version = attributes['collector.version'];
  const changes = {
    ...(sameRecord(labels, collector.labels) ? {} : { labels }),
    ...(os !== undefined && os !== collector.os ? { os } : {}),
    ...(version !== undefined && version !== collector.version ? { version } : {}),
  };
  return Object.keys(changes).length === 0 ? undefined : changes;
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}
