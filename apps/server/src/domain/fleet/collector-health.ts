import type { CurrentRates } from '../telemetry/rate-summary.ts';
import type { CollectorStatus } from './collector.types.ts';

/**
 * What the fleet list knows about a collector's health beyond its connection (decision 0017),
 * all of it read from storage, so every replica derives the same status.
 */
export interface HealthFacts {
  /**
   * The collector reported that the config version it should run failed to apply (OpAMP
   * RemoteConfigStatus FAILED, Alloy remotecfg failed, for that version's hash); its error is
   * redacted when stored.
   */
  readonly configFailure: { readonly version: number; readonly error: string } | null;
  /** OpAMP health `healthy: false` with a `last_error` (the supervisor's initial `{healthy:false}` is not). */
  readonly unhealthy: { readonly lastError: string } | null;
  /** Rates as of the read (null fields: absent). */
  readonly rates: CurrentRates;
}

/** The status a list shows, with a sentence saying why when it is `error`. */
export interface DerivedStatus {
  readonly status: CollectorStatus;
  readonly reason: string | null;
}

/** Longest quoted collector error in a reason; the Events tab has the full text. */
export const maxQuotedErrorLength = 300;

/**
 * The status shown for a collector: a connected collector whose last config apply failed, whose
 * agent reports itself unhealthy, or whose receivers refuse or exporters fail records right now
 * is `error`, with every cause in `reason` (config first, then health, then the top failing
 * component). `disconnected`, `stale`, `pending` and `deregistered` are kept as stored: a
 * collector that is not there has no health to report. Storage filters and sorts by the same
 * rule (`collector.sql-store.ts`, `effectiveStatus`); a test on both dialects keeps them equal.
 *
 * @example
 * deriveStatus('connected', {
 *   configFailure: null,
 *   unhealthy: null,
 *   rates: { recordsInPerSec: 10, recordsOutPerSec: 3, errorsPerSec: 700, missingReason: null,
 *            topError: { kind: 'exporter', componentId: 'otlphttp/x', perSec: 700 } },
 * }); // → { status: 'error', reason: 'exporter otlphttp/x failing at 700/s' }
 */
export function deriveStatus(stored: CollectorStatus, facts: HealthFacts): DerivedStatus {
  if (stored !== 'connected') return { status: stored, reason: null };
  const causes: string[] = [];
  if (facts.configFailure)
    causes.push(`config failed: ${quote(facts.configFailure.error) || 'no error given'}`);
  if (facts.unhealthy) causes.push(`agent reports unhealthy: ${quote(facts.unhealthy.lastError)}`);
  const errorsPerSec = facts.rates.errorsPerSec;
  if (errorsPerSec !== null && errorsPerSec > 0) {
    const top = facts.rates.topError;
    causes.push(
      top === null
        ? `records failing at ${perSecond(errorsPerSec)}`
        : top.kind === 'exporter'
          ? `exporter ${top.componentId} failing at ${perSecond(top.perSec)}`
          : `receiver ${top.componentId} refusing ${perSecond(top.perSec)}`,
    );
  }
  return causes.length === 0
    ? { status: 'connected', reason: null }
    : { status: 'error', reason: causes.join('; ') };
}

/** One line, bounded: collector errors can be multi-line stack traces. */
function quote(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > maxQuotedErrorLength ? `${line.slice(0, maxQuotedErrorLength - 1)}…` : line;
}

/**
 * A rate for a sentence: "700/s", "1,234/s", "0.5/s", "<0.01/s".
 *
 * @example perSecond(1234.4) // → '1,234/s'
 */
export function perSecond(value: number): string {
  if (value > 0 && value < 0.01) return '<0.01/s';
  const digits = value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toLocaleString('en', { maximumFractionDigits: digits })}/s`;
}
