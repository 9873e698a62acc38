import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import type { StorageOf, StoresOf } from '../shared/storage.port.ts';

type IngestStores = StoresOf<'events' | 'throughput'>;
import {
  hostCpuPercentBetween,
  isProcessRestart,
  processCpuPercentBetween,
  type HostSample,
} from './host-metrics.ts';
import type { DecodedMetrics } from './metric-point.ts';
import { nextRateSummary, type RateSummary } from './rate-summary.ts';
import { translateSelfMetrics } from './self-metrics.translator.ts';
import type { CollectorLiveUpdate, ProcessState, ThroughputBatch } from './throughput.store.ts';

export interface IngestSettings {
  /**
   * How long a push that finds no commit running waits for others to join its transaction.
   * 0 commits on the next turn of the event loop; under load, pushes that arrive while a
   * commit runs form the next group anyway.
   */
  readonly commitDelayMs: number;
  /** Above this many pushes waiting for a commit, new ones are refused with 429. */
  readonly maxBufferedPushes: number;
}

export interface IngestResult {
  readonly componentSamples: number;
  readonly ignoredPoints: number;
}

/** Latest host sample and last-seen time per collector, waiting for the next commit. */
interface PendingCollector {
  lastSeenAtMs: number;
  host: HostSample | undefined;
}

/** The pushes of one group commit and the promise their requests wait on. */
class CommitGroup {
  readonly batches: ThroughputBatch[] = [];
  readonly collectors = new Map<string, PendingCollector>();
  pushes = 0;
  readonly committed: Promise<void>;
  settle!: (error?: Error) => void;

  constructor() {
    this.committed = new Promise<void>((resolve, reject) => {
      this.settle = (error?: Error) => {
        if (error === undefined) resolve();
        else reject(error);
      };
    });
    // A group nobody waits on (every push already answered by a failure) must not crash.
    this.committed.catch(() => undefined);
  }
}

/**
 * Self-telemetry after authentication: translation into ComponentThroughput rows and host
 * metrics, written by group commit. `accept` resolves only once the push is committed — a 200
 * on `/v1/metrics` means the data survives a crash (OTLP's contract; issue #9) — while pushes
 * that arrive during one commit share the next transaction, so the write rate stays one
 * transaction per commit time rather than one per push. A failed commit rejects every push of
 * its group with `unavailable` (the collectors retry; nothing was acknowledged).
 */
export class SelfTelemetryIngest {
  private group = new CommitGroup();
  private committing = false;
  private scheduled: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private idle: Promise<void> = Promise.resolve();
  private markIdle: () => void = () => undefined;

  constructor(
    private readonly storage: StorageOf<'events' | 'throughput'>,
    private readonly clock: Clock,
    private readonly isLive: (collectorId: string) => Promise<boolean>,
    private readonly settings: IngestSettings,
    private readonly observer: {
      flushed(report: { pushes: number; collectors: number; durationMs: number }): void;
      failed(error: unknown): void;
      /** The `service.instance.id` a push carried (Alloy: its host name). */
      instanceIdentified?(collectorId: string, serviceInstanceId: string): void;
      /**
       * A commit is durable: its component samples and every collector it touched (a push
       * without component metrics moves the collector's diagnosis too). Naming checks and live
       * canvases follow it.
       */
      committed?(batches: readonly ThroughputBatch[], collectorIds: readonly string[]): void;
    },
  ) {}

  /** Kept for the composition root's symmetry: commits are scheduled by the pushes themselves. */
  start(): void {}

  /** Commits what is waiting and resolves when no commit runs any more. */
  async stop(): Promise<void> {
    await this.flush();
  }

  /** Number of pushes waiting for a commit. */
  get bufferedPushes(): number {
    return this.group.pushes;
  }

  /**
   * Accepts one decoded push of `collectorId` (identity comes from its bearer, never from the
   * payload) and resolves once it is committed. Throws `not_found` for a collector that no
   * longer exists or was deregistered, `rate_limited` when storage has fallen behind, and
   * `unavailable` when the commit failed.
   */
  async accept(collectorId: string, decoded: DecodedMetrics): Promise<IngestResult> {
    if (!(await this.isLive(collectorId))) throw new DomainError('not_found', 'unknown collectorId');
    if (this.group.pushes >= this.settings.maxBufferedPushes) {
      throw new DomainError('rate_limited', 'self-telemetry storage is behind; retry later', undefined, 5);
    }
    const translation = translateSelfMetrics(decoded.resources);
    const receivedAtMs = this.clock.nowMs();
    const instanceId = translation.serviceInstanceIds[0];
    if (instanceId !== undefined) this.observer.instanceIdentified?.(collectorId, instanceId);
    const group = this.group;
    group.pushes += 1;
    if (translation.components.length > 0) {
      group.batches.push({ collectorId, receivedAtMs, samples: translation.components });
    }
    const pending = group.collectors.get(collectorId);
    if (pending) {
      pending.lastSeenAtMs = receivedAtMs;
      if (translation.host) pending.host = translation.host;
    } else {
      group.collectors.set(collectorId, { lastSeenAtMs: receivedAtMs, host: translation.host });
    }
    this.schedule();
    await group.committed;
    return {
      componentSamples: translation.components.length,
      ignoredPoints: translation.ignoredPointCount + decoded.ignoredPointCount,
    };
  }

  /** Commits everything waiting now (tests, shutdown) and resolves when no commit runs. */
  async flush(): Promise<void> {
    if (this.scheduled !== undefined) {
      clearTimeout(this.scheduled as NodeJS.Timeout);
      clearImmediate(this.scheduled as NodeJS.Immediate);
      this.scheduled = undefined;
    }
    if (!this.committing && this.group.pushes > 0) void this.commitLoop();
    await this.idle;
  }

  private schedule(): void {
    if (this.committing || this.scheduled !== undefined) return;
    const run = () => {
      this.scheduled = undefined;
      void this.commitLoop();
    };
    this.scheduled =
      this.settings.commitDelayMs > 0 ? setTimeout(run, this.settings.commitDelayMs) : setImmediate(run);
  }

  /** Commits groups back to back until none is waiting. */
  private async commitLoop(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    this.idle = new Promise((resolve) => (this.markIdle = resolve));
    try {
      while (this.group.pushes > 0) {
        const group = this.group;
        this.group = new CommitGroup();
        await this.commit(group);
      }
    } finally {
      this.committing = false;
      this.markIdle();
    }
  }

  private async commit(group: CommitGroup): Promise<void> {
    const { batches, collectors } = group;
    const startedMs = performance.now();
    let stored: readonly ThroughputBatch[] = [];
    const touched: string[] = [];
    try {
      await this.storage.transaction(async (stores) => {
        const states = new Map(
          (await stores.throughput.processStates([...collectors.keys()])).map((s) => [s.collectorId, s]),
        );
        // Rows of collectors deregistered since their push was accepted are dropped here.
        const live = batches.filter((batch) => states.get(batch.collectorId)?.deregistered === false);
        await stores.throughput.insertBatches(live);
        stored = live;
        await stores.throughput.writeRateSummaries(await nextRateSummaries(stores, live));
        const updates: CollectorLiveUpdate[] = [];
        for (const [collectorId, pending] of collectors) {
          const state = states.get(collectorId);
          if (!state || state.deregistered) continue;
          if (state.awaitingFirstContact) {
            await stores.events.append({
              collectorId,
              type: 'registered',
              atMs: pending.lastSeenAtMs,
              detail: 'otelcol via self-telemetry (first push)',
              dedupeKey: 'telemetry:registered',
            });
          }
          touched.push(collectorId);
          const update = liveUpdate(collectorId, pending, state);
          updates.push(update);
          if (update.restartIncrement > 0) await recordRestart(stores, collectorId, pending, state);
        }
        await stores.throughput.updateLive(updates);
      });
      group.settle();
      if (touched.length > 0) this.observer.committed?.(stored, touched);
      this.observer.flushed({
        pushes: group.pushes,
        collectors: collectors.size,
        durationMs: performance.now() - startedMs,
      });
    } catch (error) {
      this.observer.failed(error);
      group.settle(new DomainError('unavailable', 'self-telemetry could not be stored; retry', undefined, 5));
    }
  }
}

/**
 * The fleet list's per-collector rates (decision 0017), for the commit that stores the rows they
 * come from: each collector's stored summary (its last samples, whichever replica wrote them)
 * advanced by this group's pushes, oldest first.
 */
async function nextRateSummaries(
  stores: IngestStores,
  batches: readonly ThroughputBatch[],
): Promise<Map<string, RateSummary>> {
  const next = new Map<string, RateSummary>();
  if (batches.length === 0) return next;
  const pushesByCollector = new Map<string, ThroughputBatch[]>();
  for (const batch of batches) {
    const pushes = pushesByCollector.get(batch.collectorId);
    if (pushes) pushes.push(batch);
    else pushesByCollector.set(batch.collectorId, [batch]);
  }
  const previous = await stores.throughput.rateSummaries([...pushesByCollector.keys()]);
  for (const [collectorId, pushes] of pushesByCollector) {
    pushes.sort((a, b) => a.receivedAtMs - b.receivedAtMs);
    next.set(collectorId, nextRateSummary(previous.get(collectorId), pushes));
  }
  return next;
}

function liveUpdate(
  collectorId: string,
  pending: PendingCollector,
  state: ProcessState,
): CollectorLiveUpdate {
  const host = pending.host;
  if (!host) return { collectorId, lastSeenAtMs: pending.lastSeenAtMs, restartIncrement: 0 };
  const previous = {
    timeUnixMs: state.hostSampledAtMs ?? 0,
    ...(state.processStartUnixMs === null ? {} : { processStartTimeUnixMs: state.processStartUnixMs }),
    ...(state.uptimeSeconds === null ? {} : { uptimeSeconds: state.uptimeSeconds }),
    ...(state.processCpuSeconds === null ? {} : { cpuSecondsTotal: state.processCpuSeconds }),
  };
  const restarted = state.hostSampledAtMs !== null && isProcessRestart(previous, host);
  const cpuPercent =
    host.cpuPercent ??
    (state.hostSampledAtMs === null ? undefined : processCpuPercentBetween(previous, host));
  // node_exporter's host CPU comes as seconds per mode: a percentage needs the previous push.
  const hostCpuPercent =
    host.hostCpuPercent ??
    hostCpuPercentBetween(
      {
        ...(state.hostCpuIdleSeconds === null ? {} : { hostCpuIdleSecondsTotal: state.hostCpuIdleSeconds }),
        ...(state.hostCpuTotalSeconds === null ? {} : { hostCpuSecondsTotal: state.hostCpuTotalSeconds }),
      },
      host,
    );
  return {
    collectorId,
    lastSeenAtMs: pending.lastSeenAtMs,
    hostCpuPercent,
    hostMemoryPercent: host.hostMemoryPercent,
    cpuPercent,
    memoryMb: host.memoryMb,
    uptimeSeconds: host.uptimeSeconds,
    processStartUnixMs: host.processStartTimeUnixMs,
    processCpuSeconds: host.cpuSecondsTotal,
    hostCpuIdleSeconds: host.hostCpuIdleSecondsTotal,
    hostCpuTotalSeconds: host.hostCpuSecondsTotal,
    hostSampledAtMs: host.timeUnixMs,
    restartIncrement: restarted ? 1 : 0,
  };
}

async function recordRestart(
  stores: IngestStores,
  collectorId: string,
  pending: PendingCollector,
  state: ProcessState,
) {
  const startedMs = pending.host?.processStartTimeUnixMs;
  await stores.events.append({
    collectorId,
    type: 'restarted',
    atMs: pending.lastSeenAtMs,
    detail:
      startedMs === undefined
        ? 'collector process restarted (uptime went down)'
        : `collector process restarted at ${new Date(startedMs).toISOString()}` +
          (state.processStartUnixMs === null
            ? ''
            : ` (previous start ${new Date(state.processStartUnixMs).toISOString()})`),
  });
}
