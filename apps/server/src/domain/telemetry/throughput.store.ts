import type { RateSummary } from './rate-summary.ts';
import type { ComponentSample } from './self-metrics.translator.ts';

/** One ComponentThroughput row: a component sample of one collector, as received. */
export interface ThroughputRow extends ComponentSample {
  readonly collectorId: string;
  /** When the server accepted the push (TTL is counted from here, not from collector clocks). */
  readonly receivedAtMs: number;
}

/** The component samples of one accepted push, written together. */
export interface ThroughputBatch {
  readonly collectorId: string;
  readonly receivedAtMs: number;
  readonly samples: readonly ComponentSample[];
}

/** What the last host sample left on the collector record, for restart and CPU derivations. */
export interface ProcessState {
  readonly collectorId: string;
  readonly processStartUnixMs: number | null;
  readonly uptimeSeconds: number | null;
  readonly processCpuSeconds: number | null;
  readonly hostCpuIdleSeconds: number | null;
  readonly hostCpuTotalSeconds: number | null;
  readonly hostSampledAtMs: number | null;
  readonly deregistered: boolean;
  /**
   * An otelcol collector pre-created over the API (`POST /collectors`, status `pending`) that has
   * not been heard from: its first push is its first contact and records `registered`.
   */
  readonly awaitingFirstContact: boolean;
}

/** The collector-record update one flush makes for one collector. */
export interface CollectorLiveUpdate {
  readonly collectorId: string;
  readonly lastSeenAtMs: number;
  readonly hostCpuPercent?: number | undefined;
  readonly hostMemoryPercent?: number | undefined;
  readonly cpuPercent?: number | undefined;
  readonly memoryMb?: number | undefined;
  readonly uptimeSeconds?: number | undefined;
  readonly processStartUnixMs?: number | undefined;
  readonly processCpuSeconds?: number | undefined;
  readonly hostCpuIdleSeconds?: number | undefined;
  readonly hostCpuTotalSeconds?: number | undefined;
  readonly hostSampledAtMs?: number | undefined;
  /** Restarts detected in this flush (added to `restart_count`). */
  readonly restartIncrement: number;
}

export interface ThroughputStore {
  insertBatches(batches: readonly ThroughputBatch[]): Promise<void>;
  processStates(collectorIds: readonly string[]): Promise<ProcessState[]>;
  /** Applies live updates; a `pending` collector becomes `connected` on its first push. */
  updateLive(updates: readonly CollectorLiveUpdate[]): Promise<void>;
  /**
   * Rows of one collector from pushes the server received in `[sinceMs, untilMs)` — the
   * server's clock (`receivedAtMs`), the one clock every window and the TTL use, so a collector
   * whose clock is off is still seen; rates inside use the collector's own sample times. When
   * the window holds more than `limit` rows, the NEWEST are kept: the limit cuts the oldest end,
   * whole pushes only. Returned oldest first (the order rates are computed in).
   *
   * With `edgesOfBucketsMs`, only the first and the last push of each bucket of that width
   * (counted from `sinceMs`) and the two newest pushes are read: counters are cumulative, so
   * those give every bucket's rate and the current one — a 24 h window of 30 s pushes reads
   * ~300 pushes instead of 2,880.
   */
  listRows(
    collectorId: string,
    filter: { sinceMs: number; untilMs: number; limit: number; edgesOfBucketsMs?: number },
  ): Promise<ThroughputRow[]>;
  /** Deletes rows received before `cutoffMs`, at most `limit` of them; returns the count. */
  deleteReceivedBefore(cutoffMs: number, limit: number): Promise<number>;
  /** Deletes a collector's rows and its rate summary; returns the count of rows. */
  deleteForCollector(collectorId: string): Promise<number>;
  /**
   * The stored rate summaries of these collectors (decision 0017). Inside a transaction on
   * PostgreSQL the rows stay locked until it ends, so two replicas committing pushes of one
   * collector at once rate them one after the other, never both against the same sample.
   */
  rateSummaries(collectorIds: readonly string[]): Promise<Map<string, RateSummary>>;
  /** Inserts or replaces rate summaries. */
  writeRateSummaries(summaries: ReadonlyMap<string, RateSummary>): Promise<void>;
}
