import { GAUGE_COUNTERS } from './self-metric-names.ts';
import type { ComponentKind, CounterName } from './self-metric-names.ts';

/**
 * Read-time rates from raw cumulative samples (ARCHITECTURE §4: rows keep raw counters; a rate
 * needs two samples; the first sample after a restart yields no rate, so there are no spikes).
 */

/** One stored row of one series (component + signal), as `translateSelfMetrics` produced it. */
export interface RawSample {
  readonly kind: ComponentKind;
  readonly counters: Readonly<Partial<Record<CounterName, number>>>;
  /** 0 when unknown (Alloy ≥ 1.14 sets none); then only a counter decrease reveals a restart. */
  readonly startTimeUnixMs: number;
  readonly timeUnixMs: number;
}

/** The rate fields of the topology API (ARCHITECTURE §7). */
export type RateField = 'recordsPerSec' | 'errorsPerSec' | 'incomingPerSec' | 'droppedPerSec';

/**
 * Rates over the interval between two consecutive samples. A field is absent when the series
 * does not carry its counters in both samples.
 */
export interface RatePoint extends Partial<Record<RateField, number>> {
  /** Time of the earlier sample. */
  readonly fromUnixMs: number;
  /** Time of the later sample; the rate is shown at this time. */
  readonly toUnixMs: number;
}

/** Latest queue gauges of a series (exporters). */
export interface QueueGauges {
  readonly queueSize?: number;
  readonly queueCapacity?: number;
}

/**
 * Counters behind each rate field, per component kind. Each entry lists alternatives: the first
 * whose counters appear in both samples is used, and its counters are summed.
 *
 * Processors from before v0.110 have no `incoming` counter; everything that entered them either
 * went on (`outgoing`, the old `accepted`), was refused downstream or was dropped, so their
 * incoming rate is the sum of those three.
 */
const RATE_SOURCES: Readonly<
  Record<ComponentKind, Partial<Record<RateField, readonly (readonly CounterName[])[]>>>
> = {
  receiver: {
    recordsPerSec: [['accepted']],
    errorsPerSec: [['refused', 'failed']],
  },
  processor: {
    incomingPerSec: [['incoming'], ['outgoing', 'refused', 'dropped']],
    recordsPerSec: [['outgoing']],
    errorsPerSec: [['refused']],
    droppedPerSec: [['dropped']],
  },
  exporter: {
    recordsPerSec: [['sent']],
    errorsPerSec: [['sendFailed']],
    droppedPerSec: [['enqueueFailed']],
  },
};

const RATE_FIELDS: readonly RateField[] = [
  'recordsPerSec',
  'errorsPerSec',
  'incomingPerSec',
  'droppedPerSec',
];

/**
 * Start times closer than this are one process. Instruments of one process are created (and,
 * behind Alloy's Prometheus receiver, first seen) moments apart, and a sample's start is the
 * earliest of its counters, so it can shift slightly when a series appears; a real restart moves
 * it by at least the previous process's lifetime, which spans at least one push.
 */
export const START_TIME_TOLERANCE_MS = 1000;

/** Upper bound on sparkline buckets, so a request cannot make the server allocate without limit. */
export const MAX_SPARKLINE_BUCKETS = 1440;

/**
 * True when `next` belongs to a new counter lifetime: both start times are known and differ
 * (beyond `START_TIME_TOLERANCE_MS`), or any cumulative counter present in both went down.
 * Gauges may go down freely and are not considered.
 *
 * @example
 * isRestart(
 *   { kind: 'receiver', counters: { accepted: 900 }, startTimeUnixMs: 0, timeUnixMs: 60_000 },
 *   { kind: 'receiver', counters: { accepted: 30 }, startTimeUnixMs: 0, timeUnixMs: 90_000 },
 * ); // → true
 */
export function isRestart(prev: RawSample, next: RawSample): boolean {
  if (
    prev.startTimeUnixMs > 0 &&
    next.startTimeUnixMs > 0 &&
    Math.abs(next.startTimeUnixMs - prev.startTimeUnixMs) > START_TIME_TOLERANCE_MS
  ) {
    return true;
  }
  // `for…in`, not Object.entries: this runs for every pair of every series a read rates.
  for (const key in next.counters) {
    const counter = key as CounterName;
    const nextValue = next.counters[counter];
    if (GAUGE_COUNTERS.has(counter) || nextValue === undefined) continue;
    const prevValue = prev.counters[counter];
    if (prevValue !== undefined && nextValue < prevValue) return true;
  }
  return false;
}

/**
 * How many restarts a series shows (`isRestart` between consecutive samples).
 *
 * @example
 * const at = (timeUnixMs: number, accepted: number): RawSample =>
 *   ({ kind: 'receiver', counters: { accepted }, startTimeUnixMs: 0, timeUnixMs });
 * countRestarts([at(0, 500), at(30_000, 20), at(60_000, 320)]); // → 1
 */
export function countRestarts(samples: readonly RawSample[]): number {
  let restarts = 0;
  for (let i = 1; i < samples.length; i += 1) {
    const prev = samples[i - 1];
    const next = samples[i];
    if (prev && next && isRestart(prev, next)) restarts += 1;
  }
  return restarts;
}

function sumIfPresentInBoth(
  prev: RawSample,
  next: RawSample,
  counters: readonly CounterName[],
): { delta: number } | undefined {
  let delta = 0;
  let found = false;
  for (const counter of counters) {
    const prevValue = prev.counters[counter];
    const nextValue = next.counters[counter];
    if (prevValue === undefined || nextValue === undefined) continue;
    delta += nextValue - prevValue;
    found = true;
  }
  return found ? { delta } : undefined;
}

/**
 * The rates between two consecutive samples of one series, or `undefined` when no rate may be
 * shown: non-positive interval, a restart in between, or no counter present in both.
 *
 * @example
 * rateBetween(
 *   { kind: 'exporter', counters: { sent: 1000, sendFailed: 0 }, startTimeUnixMs: 1, timeUnixMs: 0 },
 *   { kind: 'exporter', counters: { sent: 4000, sendFailed: 30 }, startTimeUnixMs: 1, timeUnixMs: 30_000 },
 * ); // → { fromUnixMs: 0, toUnixMs: 30_000, recordsPerSec: 100, errorsPerSec: 1 }
 */
export function rateBetween(prev: RawSample, next: RawSample): RatePoint | undefined {
  const intervalMs = next.timeUnixMs - prev.timeUnixMs;
  if (!(intervalMs > 0) || !Number.isFinite(intervalMs) || isRestart(prev, next)) return undefined;
  const sources = RATE_SOURCES[next.kind];
  const rates: Partial<Record<RateField, number>> = {};
  let any = false;
  for (const field of RATE_FIELDS) {
    for (const alternative of sources[field] ?? []) {
      const sum = sumIfPresentInBoth(prev, next, alternative);
      if (!sum) continue;
      const perSec = sum.delta / (intervalMs / 1000);
      // Non-finite only with absurd stored values; never show it, and never a negative rate.
      if (!Number.isFinite(perSec) || perSec < 0) return undefined;
      rates[field] = perSec;
      any = true;
      break;
    }
  }
  return any ? { fromUnixMs: prev.timeUnixMs, toUnixMs: next.timeUnixMs, ...rates } : undefined;
}

/**
 * One rate point per valid consecutive pair of `samples` (ascending by time, one series).
 * The first sample after a restart, equal timestamps and a lone sample yield nothing.
 *
 * @example
 * computeRates([
 *   { kind: 'receiver', counters: { accepted: 0 }, startTimeUnixMs: 0, timeUnixMs: 0 },
 *   { kind: 'receiver', counters: { accepted: 300 }, startTimeUnixMs: 0, timeUnixMs: 30_000 },
 * ]); // → [{ fromUnixMs: 0, toUnixMs: 30_000, recordsPerSec: 10 }]
 */
export function computeRates(samples: readonly RawSample[]): RatePoint[] {
  const points: RatePoint[] = [];
  for (let i = 1; i < samples.length; i += 1) {
    const prev = samples[i - 1];
    const next = samples[i];
    if (!prev || !next) continue;
    const rate = rateBetween(prev, next);
    if (rate) points.push(rate);
  }
  return points;
}

/**
 * The "current" rate: from the latest two samples only, or `undefined` when there are fewer than
 * two or that pair spans a restart (the first sample after a restart yields no rate — an older
 * pair is not passed off as current). Callers bound `samples` by their time window.
 *
 * @example
 * currentRate(samplesOfLast15Minutes)?.recordsPerSec; // → 212.5
 */
export function currentRate(samples: readonly RawSample[]): RatePoint | undefined {
  const prev = samples[samples.length - 2];
  const next = samples[samples.length - 1];
  return prev && next ? rateBetween(prev, next) : undefined;
}

/**
 * Queue gauges shown as their latest value: each from the newest sample that carries it.
 *
 * @example
 * latestGauges([
 *   { kind: 'exporter', counters: { queueSize: 3, queueCapacity: 1000 }, startTimeUnixMs: 0, timeUnixMs: 0 },
 *   { kind: 'exporter', counters: { queueSize: 7 }, startTimeUnixMs: 0, timeUnixMs: 30_000 },
 * ]); // → { queueSize: 7, queueCapacity: 1000 }
 */
export function latestGauges(samples: readonly RawSample[]): QueueGauges {
  let queueSize: number | undefined;
  let queueCapacity: number | undefined;
  for (
    let i = samples.length - 1;
    i >= 0 && (queueSize === undefined || queueCapacity === undefined);
    i -= 1
  ) {
    const counters = samples[i]?.counters;
    queueSize ??= counters?.queueSize;
    queueCapacity ??= counters?.queueCapacity;
  }
  return {
    ...(queueSize === undefined ? {} : { queueSize }),
    ...(queueCapacity === undefined ? {} : { queueCapacity }),
  };
}

/**
 * A sparkline: `buckets` equal slices of [windowStartMs, windowEndMs), each holding the
 * time-weighted mean of `field` over the rate intervals that overlap it, or `null` where no valid
 * interval does (no data, or the gap around a restart). A push interval longer than a bucket
 * therefore fills every bucket it spans instead of leaving holes.
 *
 * @throws RangeError when the window is empty or `buckets` is not an integer in 1…MAX_SPARKLINE_BUCKETS.
 * @example
 * sparkline(samples, nowMs - 15 * 60_000, nowMs, 30); // → [null, null, 12.5, 12.5, 13, …]
 */
export function sparkline(
  samples: readonly RawSample[],
  windowStartMs: number,
  windowEndMs: number,
  buckets: number,
  field: RateField = 'recordsPerSec',
): (number | null)[] {
  return sparklineOfRates(computeRates(samples), windowStartMs, windowEndMs, buckets, field);
}

/** {@link sparkline} from rates already computed (one `computeRates` for several sparklines). */
export function sparklineOfRates(
  rates: readonly RatePoint[],
  windowStartMs: number,
  windowEndMs: number,
  buckets: number,
  field: RateField = 'recordsPerSec',
): (number | null)[] {
  if (!Number.isInteger(buckets) || buckets < 1 || buckets > MAX_SPARKLINE_BUCKETS) {
    throw new RangeError(
      `sparkline buckets must be an integer from 1 to ${MAX_SPARKLINE_BUCKETS}, got ${buckets}`,
    );
  }
  if (!Number.isFinite(windowStartMs) || !Number.isFinite(windowEndMs) || windowEndMs <= windowStartMs) {
    throw new RangeError('sparkline window must end after it starts');
  }
  const bucketMs = (windowEndMs - windowStartMs) / buckets;
  const weightedSums = new Array<number>(buckets).fill(0);
  const weightsMs = new Array<number>(buckets).fill(0);

  for (const rate of rates) {
    const value = rate[field];
    if (value === undefined) continue;
    const lo = Math.max(rate.fromUnixMs, windowStartMs);
    const hi = Math.min(rate.toUnixMs, windowEndMs);
    if (hi <= lo) continue;
    const first = Math.floor((lo - windowStartMs) / bucketMs);
    const last = Math.min(buckets - 1, Math.ceil((hi - windowStartMs) / bucketMs) - 1);
    for (let b = first; b <= last; b += 1) {
      const bucketStartMs = windowStartMs + b * bucketMs;
      const overlapMs = Math.min(hi, bucketStartMs + bucketMs) - Math.max(lo, bucketStartMs);
      if (overlapMs <= 0) continue;
      weightedSums[b] = (weightedSums[b] ?? 0) + value * overlapMs;
      weightsMs[b] = (weightsMs[b] ?? 0) + overlapMs;
    }
  }

  return weightedSums.map((sum, b) => {
    const weight = weightsMs[b] ?? 0;
    return weight > 0 ? sum / weight : null;
  });
}
