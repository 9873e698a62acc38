import { rateBetween } from './counter-rates.ts';
import type { ComponentKind } from './self-metric-names.ts';
import type { ComponentSample } from './self-metrics.translator.ts';

/**
 * The fleet list's per-collector rates (decision 0017): records in (receivers' accepted), out
 * (exporters' sent) and errors (receivers' refused + exporters' send_failed) per second, summed
 * over the series of the newest push, each series rated against its previous sample (kept in the
 * stored summary, whichever replica wrote it) with the throughput API's rules
 * (`rateBetween`: two samples, no rate across a restart). Written by the self-telemetry ingest in
 * the commit that stores the raw rows, so a list of 500 collectors reads 500 small rows instead of
 * rating 500 collectors' raw counters.
 */
export interface RateSummary {
  readonly recordsInPerSec: number | null;
  readonly recordsOutPerSec: number | null;
  readonly errorsPerSec: number | null;
  /** The receiver or exporter with the highest error rate, when one is above zero. */
  readonly topError: TopError | null;
  /** Server receive time of the push the rates come from; null when no series had a rate. */
  readonly ratesAtMs: number | null;
  /** From this server time on the summary reads as absent ({@link ratesAsOf}). */
  readonly expiresAtMs: number;
  /** Server receive time of the newest push. */
  readonly receivedAtMs: number;
  /**
   * The last sample of every receiver and exporter series seen in the last
   * {@link seriesRetentionMs}: what the next push is rated against. Storage keeps only the
   * counters the rates use (and a restart shows in: start time, or one of them going down).
   */
  readonly lastSamples: readonly ComponentSample[];
  /** Each exporter's rates in the newest push, summed over its signals (the fleet topology's edges). */
  readonly exporterRates: readonly ExporterRate[];
}

export interface ExporterRate {
  readonly componentId: string;
  readonly recordsPerSec: number | null;
  readonly errorsPerSec: number | null;
}

/** The counters the summary rates, per kind (`counter-rates.ts` RATE_SOURCES for records and errors). */
export const summaryCounters = {
  receiver: ['accepted', 'refused', 'failed'],
  exporter: ['sent', 'sendFailed'],
} as const;

export interface TopError {
  readonly kind: Exclude<ComponentKind, 'processor'>;
  readonly componentId: string;
  readonly perSec: number;
}

/** One push of a collector as the ingest commits it. */
export interface RatedPush {
  readonly receivedAtMs: number;
  readonly samples: readonly ComponentSample[];
}

/** Rates stop counting after this many push intervals without a newer push … */
export const rateFreshnessIntervals = 3;
/** … but never sooner than this (jitter of short intervals) … */
export const minRateFreshnessMs = 30_000;
/** … nor later than this (and when the interval is unknown: a lone first push). */
export const maxRateFreshnessMs = 15 * 60_000;
/** A series absent from pushes for this long is forgotten (a component removed from the config). */
export const seriesRetentionMs = 15 * 60_000;

/** What {@link nextRateSummary} returns for no pushes at all (never stored). */
const emptySummary: RateSummary = {
  recordsInPerSec: null,
  recordsOutPerSec: null,
  errorsPerSec: null,
  topError: null,
  ratesAtMs: null,
  expiresAtMs: 0,
  receivedAtMs: 0,
  lastSamples: [],
  exporterRates: [],
};

const seriesKey = (s: ComponentSample) => `${s.kind}\u0000${s.componentId}\u0000${s.signal}`;

/**
 * The summary after `pushes` (one collector's pushes of one commit, oldest first), starting from
 * the stored `previous` one — which may have been written by another replica.
 *
 * @example
 * const at = (t: number, accepted: number, sent: number, sendFailed: number): RatedPush => ({
 *   receivedAtMs: t,
 *   samples: [
 *     { kind: 'receiver', componentId: 'otlp', signal: 'logs', counters: { accepted }, startTimeUnixMs: 1, timeUnixMs: t },
 *     { kind: 'exporter', componentId: 'otlphttp/x', signal: 'logs', counters: { sent, sendFailed }, startTimeUnixMs: 1, timeUnixMs: t },
 *   ],
 * });
 * const first = at(0, 0, 0, 0);
 * const summary = nextRateSummary(undefined, [first]); // null rates: needs two samples
 * nextRateSummary(summary, [at(30_000, 3000, 900, 21_000)]);
 * // → recordsInPerSec 100, recordsOutPerSec 30, errorsPerSec 700,
 * //   topError { kind: 'exporter', componentId: 'otlphttp/x', perSec: 700 }
 */
export function nextRateSummary(
  previous: RateSummary | undefined,
  pushes: readonly RatedPush[],
): RateSummary {
  const last = new Map<string, ComponentSample>();
  for (const sample of previous?.lastSamples ?? []) last.set(seriesKey(sample), sample);
  let newestMs = previous?.receivedAtMs;
  let previousReceivedAtMs: number | undefined;
  let advanced = false;
  /** The rate of each series of the newest push (undefined: none, e.g. the first sample). */
  const current = new Map<
    string,
    { sample: ComponentSample; records: number | undefined; errors: number | undefined }
  >();
  // Only receivers and exporters are kept: processors count neither in nor out.
  for (const push of pushes) {
    if (newestMs !== undefined && push.receivedAtMs < newestMs) continue; // older, committed late
    if (newestMs === undefined || push.receivedAtMs > newestMs || !advanced) {
      if (newestMs === undefined || push.receivedAtMs > newestMs) {
        previousReceivedAtMs = newestMs;
        newestMs = push.receivedAtMs;
      }
      advanced = true;
      current.clear();
    }
    for (const sample of push.samples) {
      if (sample.kind === 'processor') continue;
      const key = seriesKey(sample);
      const prev = last.get(key);
      if (prev && sample.timeUnixMs <= prev.timeUnixMs) continue; // a repeat or out of order
      const rate = prev ? rateBetween(prev, sample) : undefined;
      current.set(key, { sample, records: rate?.recordsPerSec, errors: rate?.errorsPerSec });
      last.set(key, sample);
    }
  }

  if (newestMs === undefined || (!advanced && previous)) return previous ?? emptySummary;
  const receivedAtMs = newestMs;

  let recordsIn: number | null = null;
  let recordsOut: number | null = null;
  let errors: number | null = null;
  const errorsByComponent = new Map<string, TopError>();
  const exporters = new Map<string, { recordsPerSec: number | null; errorsPerSec: number | null }>();
  for (const { sample, records, errors: componentErrors } of current.values()) {
    if (sample.kind === 'exporter' && (records !== undefined || componentErrors !== undefined)) {
      const sums = exporters.get(sample.componentId) ?? { recordsPerSec: null, errorsPerSec: null };
      if (records !== undefined) sums.recordsPerSec = (sums.recordsPerSec ?? 0) + records;
      if (componentErrors !== undefined) sums.errorsPerSec = (sums.errorsPerSec ?? 0) + componentErrors;
      exporters.set(sample.componentId, sums);
    }
    if (records !== undefined) {
      if (sample.kind === 'receiver') recordsIn = (recordsIn ?? 0) + records;
      else recordsOut = (recordsOut ?? 0) + records;
    }
    if (componentErrors === undefined || sample.kind === 'processor') continue;
    errors = (errors ?? 0) + componentErrors;
    if (componentErrors > 0) {
      const key = `${sample.kind}\u0000${sample.componentId}`;
      const sum = (errorsByComponent.get(key)?.perSec ?? 0) + componentErrors;
      errorsByComponent.set(key, { kind: sample.kind, componentId: sample.componentId, perSec: sum });
    }
  }
  const rated = recordsIn !== null || recordsOut !== null || errors !== null;
  let topError: TopError | null = null;
  for (const candidate of errorsByComponent.values()) {
    if (topError === null || candidate.perSec > topError.perSec) topError = candidate;
  }

  return {
    recordsInPerSec: recordsIn,
    recordsOutPerSec: recordsOut,
    errorsPerSec: errors,
    topError,
    ratesAtMs: rated ? receivedAtMs : null,
    expiresAtMs: receivedAtMs + freshnessMs(previousReceivedAtMs, receivedAtMs),
    receivedAtMs,
    lastSamples: retained(last.values(), pushes),
    exporterRates: [...exporters].map(([componentId, sums]) => ({ componentId, ...sums })),
  };
}

/** The series to keep: seen within {@link seriesRetentionMs} of the newest sample. */
function retained(samples: Iterable<ComponentSample>, pushes: readonly RatedPush[]): ComponentSample[] {
  let newestMs = -Infinity;
  for (const push of pushes)
    for (const s of push.samples) if (s.timeUnixMs > newestMs) newestMs = s.timeUnixMs;
  const kept: ComponentSample[] = [];
  for (const s of samples) if (s.timeUnixMs >= newestMs - seriesRetentionMs) kept.push(s);
  return kept;
}

/**
 * How long the newest push's rates count: {@link rateFreshnessIntervals} push intervals (as the
 * server received them), within [{@link minRateFreshnessMs}, {@link maxRateFreshnessMs}].
 *
 * @example freshnessMs(0, 60_000) // → 180_000
 */
export function freshnessMs(previousReceivedAtMs: number | undefined, receivedAtMs: number): number {
  if (previousReceivedAtMs === undefined) return maxRateFreshnessMs;
  const intervalMs = receivedAtMs - previousReceivedAtMs;
  return Math.min(maxRateFreshnessMs, Math.max(minRateFreshnessMs, rateFreshnessIntervals * intervalMs));
}

/** Why a collector's rates are absent from the list. */
export type RatesMissingReason = 'no_self_telemetry' | 'needs_two_samples' | 'stale';

/** The rates a list shows at `nowMs`. */
export interface CurrentRates {
  readonly recordsInPerSec: number | null;
  readonly recordsOutPerSec: number | null;
  readonly errorsPerSec: number | null;
  readonly topError: TopError | null;
  /** Per exporter (empty when the rates are absent). */
  readonly exporterRates: readonly ExporterRate[];
  readonly missingReason: RatesMissingReason | null;
}

/**
 * The summary as read at `nowMs`: absent (null, with the reason) when there is none, when no
 * series had two samples yet, or once it expired — never the last value passed off as current.
 *
 * @example ratesAsOf(summary, summary.expiresAtMs).missingReason // → 'stale'
 */
export function ratesAsOf(
  summary: Omit<RateSummary, 'lastSamples'> | undefined,
  nowMs: number,
): CurrentRates {
  const absent = (missingReason: RatesMissingReason): CurrentRates => ({
    recordsInPerSec: null,
    recordsOutPerSec: null,
    errorsPerSec: null,
    topError: null,
    exporterRates: [],
    missingReason,
  });
  if (!summary) return absent('no_self_telemetry');
  if (nowMs >= summary.expiresAtMs) return absent('stale');
  if (summary.ratesAtMs === null) return absent('needs_two_samples');
  return {
    recordsInPerSec: summary.recordsInPerSec,
    recordsOutPerSec: summary.recordsOutPerSec,
    errorsPerSec: summary.errorsPerSec,
    topError: summary.topError,
    exporterRates: summary.exporterRates,
    missingReason: null,
  };
}
