import type { Clock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import type { Storage, Stores } from '../shared/storage.port.ts';
import { isProcessRestart, processCpuPercentBetween, type HostSample } from './host-metrics.ts';
import type { DecodedMetrics } from './metric-point.ts';
import { translateSelfMetrics } from './self-metrics.translator.ts';
import type { CollectorLiveUpdate, ProcessState, ThroughputBatch } from './throughput.store.ts';

export interface IngestSettings {
  /** Rows and collector updates are written in one transaction at most this often. */
  readonly flushIntervalMs: number;
  /** Above this many buffered pushes, new ones are refused with 429 until a flush catches up. */
  readonly maxBufferedPushes: number;
}

export interface IngestResult {
  readonly componentSamples: number;
  readonly ignoredPoints: number;
}

/** Latest host sample and last-seen time per collector, waiting for the next flush. */
interface PendingCollector {
  lastSeenAtMs: number;
  host: HostSample | undefined;
}

/**
 * Self-telemetry after authentication: translation into ComponentThroughput rows and host
 * metrics, buffered and written in batches (one transaction per flush interval). Accepted data
 * reaches storage within one flush interval, and on shutdown `stop()` flushes what is left.
 * Samples are cumulative, so a lost flush (crash) costs one sample, not a count.
 */
export class SelfTelemetryIngest {
  private batches: ThroughputBatch[] = [];
  private collectors = new Map<string, PendingCollector>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock,
    private readonly isLive: (collectorId: string) => Promise<boolean>,
    private readonly settings: IngestSettings,
    private readonly observer: {
      flushed(report: { pushes: number; collectors: number; durationMs: number }): void;
      failed(error: unknown): void;
      /** The `service.instance.id` a push carried (Alloy: its host name). */
      instanceIdentified?(collectorId: string, serviceInstanceId: string): void;
    },
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.settings.flushIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Number of pushes waiting for the next flush. */
  get bufferedPushes(): number {
    return this.batches.length;
  }

  /**
   * Accepts one decoded push of `collectorId` (identity comes from its bearer, never from the
   * payload). Throws `not_found` for a collector that no longer exists or was deregistered, and
   * `rate_limited` when storage has fallen behind.
   */
  async accept(collectorId: string, decoded: DecodedMetrics): Promise<IngestResult> {
    if (!(await this.isLive(collectorId))) throw new DomainError('not_found', 'unknown collectorId');
    if (this.batches.length >= this.settings.maxBufferedPushes) {
      throw new DomainError('rate_limited', 'self-telemetry storage is behind; retry later', undefined, 5);
    }
    const translation = translateSelfMetrics(decoded.resources);
    const receivedAtMs = this.clock.nowMs();
    const instanceId = translation.serviceInstanceIds[0];
    if (instanceId !== undefined) this.observer.instanceIdentified?.(collectorId, instanceId);
    if (translation.components.length > 0) {
      this.batches.push({ collectorId, receivedAtMs, samples: translation.components });
    }
    const pending = this.collectors.get(collectorId);
    if (pending) {
      pending.lastSeenAtMs = receivedAtMs;
      if (translation.host) pending.host = translation.host;
    } else {
      this.collectors.set(collectorId, { lastSeenAtMs: receivedAtMs, host: translation.host });
    }
    return {
      componentSamples: translation.components.length,
      ignoredPoints: translation.ignoredPointCount + decoded.ignoredPointCount,
    };
  }

  /** Writes everything buffered so far in one transaction; flushes never overlap. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    if (this.batches.length === 0 && this.collectors.size === 0) return;
    const batches = this.batches;
    const collectors = this.collectors;
    this.batches = [];
    this.collectors = new Map();
    const startedMs = performance.now();
    try {
      await this.storage.transaction(async (stores) => {
        const states = new Map(
          (await stores.throughput.processStates([...collectors.keys()])).map((s) => [s.collectorId, s]),
        );
        // Rows of collectors deregistered since their push was accepted are dropped here.
        await stores.throughput.insertBatches(
          batches.filter((batch) => states.get(batch.collectorId)?.deregistered === false),
        );
        const updates: CollectorLiveUpdate[] = [];
        for (const [collectorId, pending] of collectors) {
          const state = states.get(collectorId);
          if (!state || state.deregistered) continue;
          const update = liveUpdate(collectorId, pending, state);
          updates.push(update);
          if (update.restartIncrement > 0) await recordRestart(stores, collectorId, pending, state);
        }
        await stores.throughput.updateLive(updates);
      });
      this.observer.flushed({
        pushes: batches.length,
        collectors: collectors.size,
        durationMs: performance.now() - startedMs,
      });
    } catch (error) {
      this.observer.failed(error);
    }
  }
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
  return {
    collectorId,
    lastSeenAtMs: pending.lastSeenAtMs,
    hostCpuPercent: host.hostCpuPercent,
    hostMemoryPercent: host.hostMemoryPercent,
    cpuPercent,
    memoryMb: host.memoryMb,
    uptimeSeconds: host.uptimeSeconds,
    processStartUnixMs: host.processStartTimeUnixMs,
    processCpuSeconds: host.cpuSecondsTotal,
    hostSampledAtMs: host.timeUnixMs,
    restartIncrement: restarted ? 1 : 0,
  };
}

async function recordRestart(
  stores: Stores,
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
