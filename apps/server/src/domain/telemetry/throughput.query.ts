import type { Clock } from '../shared/clock.ts';
import type { StorageOf } from '../shared/storage.port.ts';
import {
  computeRates,
  countRestarts,
  currentRate,
  latestGauges,
  sparklineOfRates,
  type RateField,
} from './counter-rates.ts';
import type { ComponentKind, Signal } from './self-metric-names.ts';
import type { ThroughputRow } from './throughput.store.ts';

/** Read limits: every telemetry query is bounded by a window and a row limit. */
export const maxThroughputRowsPerQuery = 50_000;

/**
 * Buckets up to this wide (four 30 s pushes) read every push; wider ones only each bucket's
 * first and last push: the same rates for cumulative counters (a restart inside a bucket is
 * still seen by its start time, though a bucket with one restart between its edges has no rate
 * there), in a fraction of the rows — 24 h in 144 buckets is ~290 pushes, not 2,880.
 */
export const denseBucketMaxMs = 2 * 60_000;

export interface ComponentView {
  readonly kind: ComponentKind;
  readonly componentId: string;
  readonly signal: Signal;
  /** Current rates from the latest valid pair of samples (undefined: fewer than two, or a restart). */
  readonly recordsPerSec: number | null;
  readonly errorsPerSec: number | null;
  readonly incomingPerSec: number | null;
  readonly droppedPerSec: number | null;
  readonly queueSize: number | null;
  readonly queueCapacity: number | null;
  /** records/s per bucket over the window (`null`: no valid pair covers the bucket). */
  readonly sparkline: readonly (number | null)[];
  readonly errorSparkline: readonly (number | null)[];
  /** Samples read: every push for short buckets, each bucket's first and last for long ones. */
  readonly samples: number;
  readonly restartsInWindow: number;
  readonly lastSampleAtMs: number;
}

/**
 * Read-time rates (ARCHITECTURE §4): raw cumulative rows are grouped per component and signal,
 * and rates come from consecutive samples — two are needed, and the first sample after a restart
 * yields none, so a reset never shows as a spike or a negative rate.
 */
export class ThroughputQuery {
  constructor(
    private readonly storage: StorageOf<'throughput'>,
    private readonly clock: Clock,
    /** Rows one read may return; past it the oldest pushes of the window are left out. */
    private readonly maxRows = maxThroughputRowsPerQuery,
  ) {}

  /**
   * Raw rows (cumulative counters, as the troubleshooting page warns) received in the window,
   * oldest first; past the limit the newest are kept.
   */
  rawRows(collectorId: string, filter: { windowMs: number; limit: number }): Promise<ThroughputRow[]> {
    const nowMs = this.clock.nowMs();
    return this.storage.throughput.listRows(collectorId, {
      sinceMs: nowMs - filter.windowMs,
      untilMs: nowMs + 1,
      limit: Math.min(filter.limit, this.maxRows),
    });
  }

  async components(
    collectorId: string,
    filter: { windowMs: number; buckets: number },
  ): Promise<ComponentView[]> {
    const nowMs = this.clock.nowMs();
    const windowStartMs = nowMs - filter.windowMs;
    const bucketMs = filter.windowMs / filter.buckets;
    const rows = await this.storage.throughput.listRows(collectorId, {
      sinceMs: windowStartMs,
      untilMs: nowMs + 1,
      limit: this.maxRows,
      // Long windows read each bucket's first and last push (and the newest two) only.
      ...(bucketMs > denseBucketMaxMs ? { edgesOfBucketsMs: bucketMs } : {}),
    });
    const series = new Map<string, [ThroughputRow, ...ThroughputRow[]]>();
    for (const row of rows) {
      const key = `${row.kind}\u0000${row.componentId}\u0000${row.signal}`;
      const list = series.get(key);
      if (list) list.push(row);
      else series.set(key, [row]);
    }
    return [...series.values()].map((samples) => view(samples, windowStartMs, nowMs, filter.buckets));
  }
}

function view(
  samples: [ThroughputRow, ...ThroughputRow[]],
  windowStartMs: number,
  windowEndMs: number,
  buckets: number,
): ComponentView {
  const first = samples[0];
  const last = samples[samples.length - 1] ?? first;
  const rate = currentRate(samples);
  // Once per series: both sparklines read the same rates.
  const rates = computeRates(samples);
  const gauges = latestGauges(samples);
  const pick = (field: RateField) => rate?.[field] ?? null;
  return {
    kind: first.kind,
    componentId: first.componentId,
    signal: first.signal,
    recordsPerSec: pick('recordsPerSec'),
    errorsPerSec: pick('errorsPerSec'),
    incomingPerSec: pick('incomingPerSec'),
    droppedPerSec: pick('droppedPerSec'),
    queueSize: gauges.queueSize ?? null,
    queueCapacity: gauges.queueCapacity ?? null,
    sparkline: sparklineOfRates(rates, windowStartMs, windowEndMs, buckets, 'recordsPerSec'),
    errorSparkline: sparklineOfRates(rates, windowStartMs, windowEndMs, buckets, 'errorsPerSec'),
    samples: samples.length,
    restartsInWindow: countRestarts(samples),
    lastSampleAtMs: last.timeUnixMs,
  };
}
