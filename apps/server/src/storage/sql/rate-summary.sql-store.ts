import type { Kysely } from 'kysely';
import {
  summaryCounters,
  type ExporterRate,
  type RateSummary,
  type TopError,
} from '../../domain/telemetry/rate-summary.ts';
import type { CounterName } from '../../domain/telemetry/self-metric-names.ts';
import type { ComponentSample } from '../../domain/telemetry/self-metrics.translator.ts';
import type { Database } from '../schema.ts';
import { fleetDb, type FleetDatabase, type RateSummaryRow } from '../schema.fleet.ts';

/** Every column but the key, in the order the SQLite fast writer binds them. */
export const summaryColumns = [
  'records_in_per_sec',
  'records_out_per_sec',
  'errors_per_sec',
  'top_error_kind',
  'top_error_component',
  'top_error_per_sec',
  'rates_at_ms',
  'expires_at_ms',
  'received_at_ms',
  'last_samples',
  'exporter_rates',
] as const satisfies readonly (keyof RateSummaryRow)[];

/** 12 columns × 500 rows per statement: far below either dialect's bind-parameter limit. */
const chunkRows = 500;

/**
 * `collector_rate_summary` through Kysely, for both dialects: one read and one upsert per commit
 * group (not per push). SQLite's fast writer (`throughput.sqlite-store.ts`) does the same with
 * prepared statements.
 */
export class SqlRateSummaryStore {
  private readonly db: Kysely<FleetDatabase>;

  constructor(
    db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {
    this.db = fleetDb(db);
  }

  async forCollectors(collectorIds: readonly string[]): Promise<Map<string, RateSummary>> {
    const summaries = new Map<string, RateSummary>();
    // Sorted, so concurrent transactions lock rows in one order (no deadlock between replicas).
    const ids = [...new Set(collectorIds)].sort();
    for (let start = 0; start < ids.length; start += chunkRows) {
      let query = this.db
        .selectFrom('collector_rate_summary')
        .selectAll()
        .where('collector_id', 'in', ids.slice(start, start + chunkRows))
        .orderBy('collector_id');
      if (this.dialect === 'postgres') query = query.forUpdate();
      for (const row of await query.execute()) summaries.set(row.collector_id, toSummary(row));
    }
    return summaries;
  }

  async write(summaries: ReadonlyMap<string, RateSummary>): Promise<void> {
    const rows = [...summaries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, s]) => toRow(id, s));
    for (let start = 0; start < rows.length; start += chunkRows) {
      await this.db
        .insertInto('collector_rate_summary')
        .values(rows.slice(start, start + chunkRows))
        .onConflict((oc) =>
          oc
            .column('collector_id')
            .doUpdateSet((eb) =>
              Object.fromEntries(summaryColumns.map((column) => [column, eb.ref(`excluded.${column}`)])),
            ),
        )
        .execute();
    }
  }

  async deleteForCollector(collectorId: string): Promise<void> {
    await this.db.deleteFrom('collector_rate_summary').where('collector_id', '=', collectorId).execute();
  }
}

/** A summary as its row (the SQLite fast writer shares it). */
export function toRow(collectorId: string, s: RateSummary): RateSummaryRow {
  return {
    collector_id: collectorId,
    records_in_per_sec: s.recordsInPerSec,
    records_out_per_sec: s.recordsOutPerSec,
    errors_per_sec: s.errorsPerSec,
    top_error_kind: s.topError?.kind ?? null,
    top_error_component: s.topError?.componentId ?? null,
    top_error_per_sec: s.topError?.perSec ?? null,
    rates_at_ms: s.ratesAtMs,
    expires_at_ms: s.expiresAtMs,
    received_at_ms: s.receivedAtMs,
    last_samples: packLastSamples(s.lastSamples),
    exporter_rates: packExporterRates(s.exporterRates),
  };
}

/** A stored row as its summary. */
export function toSummary(row: RateSummaryRow): RateSummary {
  return {
    recordsInPerSec: row.records_in_per_sec,
    recordsOutPerSec: row.records_out_per_sec,
    errorsPerSec: row.errors_per_sec,
    topError: topErrorOf(row),
    ratesAtMs: row.rates_at_ms,
    expiresAtMs: row.expires_at_ms ?? 0,
    receivedAtMs: row.received_at_ms,
    lastSamples: unpackLastSamples(row.last_samples),
    exporterRates: unpackExporterRates(row.exporter_rates),
  };
}

/**
 * Exporter rates as compact JSON: `[componentId, recordsPerSec, errorsPerSec]` per exporter.
 *
 * @example packExporterRates([{ componentId: 'otlphttp/dst_x', recordsPerSec: 5, errorsPerSec: 0 }]) // '[["otlphttp/dst_x",5,0]]'
 */
export function packExporterRates(rates: readonly ExporterRate[]): string {
  return JSON.stringify(rates.map((r) => [r.componentId, r.recordsPerSec, r.errorsPerSec]));
}

/** Unpacks {@link packExporterRates}; entries of another shape are skipped. */
export function unpackExporterRates(text: string): ExporterRate[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) return [];
  const rates: ExporterRate[] = [];
  for (const entry of value) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') continue;
    const [componentId, records, errors] = entry as [string, unknown, unknown];
    rates.push({
      componentId,
      recordsPerSec: typeof records === 'number' ? records : null,
      errorsPerSec: typeof errors === 'number' ? errors : null,
    });
  }
  return rates;
}

/** The top failing component of a summary row (shared with the fleet list's read). */
export function topErrorOf(row: {
  top_error_kind: string | null;
  top_error_component: string | null;
  top_error_per_sec: number | null;
}): TopError | null {
  if (row.top_error_component === null || row.top_error_per_sec === null) return null;
  const kind = row.top_error_kind === 'receiver' ? 'receiver' : 'exporter';
  return { kind, componentId: row.top_error_component, perSec: row.top_error_per_sec };
}

/**
 * The last samples as compact JSON: `[kind, componentId, signal, startTimeUnixMs, timeUnixMs,
 * …counters]` with only the counters the summary rates ({@link summaryCounters}), `null` for an
 * absent one — a third of the packed raw row, parsed on every push of the collector.
 *
 * @example packLastSamples([{ kind: 'exporter', componentId: 'otlphttp', signal: 'logs', counters: { sent: 5 }, startTimeUnixMs: 1, timeUnixMs: 2 }])
 * // → '[["e","otlphttp","logs",1,2,5,null]]'
 */
export function packLastSamples(samples: readonly ComponentSample[]): string {
  const rows: unknown[] = [];
  for (const s of samples) {
    if (s.kind === 'processor') continue;
    const counters: readonly CounterName[] = summaryCounters[s.kind];
    rows.push([
      s.kind === 'receiver' ? 'r' : 'e',
      s.componentId,
      s.signal,
      s.startTimeUnixMs,
      s.timeUnixMs,
      ...counters.map((c) => s.counters[c] ?? null),
    ]);
  }
  return JSON.stringify(rows);
}

/** Unpacks {@link packLastSamples}; entries of another shape are skipped (the next push rates again). */
export function unpackLastSamples(text: string): ComponentSample[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) return [];
  const samples: ComponentSample[] = [];
  for (const entry of value as unknown[]) {
    if (!Array.isArray(entry)) continue;
    const [code, componentId, signal, startTimeUnixMs, timeUnixMs, ...values] = entry as unknown[];
    const kind = code === 'r' ? 'receiver' : code === 'e' ? 'exporter' : undefined;
    if (
      kind === undefined ||
      typeof componentId !== 'string' ||
      typeof signal !== 'string' ||
      typeof startTimeUnixMs !== 'number' ||
      typeof timeUnixMs !== 'number'
    )
      continue;
    const names: readonly CounterName[] = summaryCounters[kind];
    const counters: Partial<Record<CounterName, number>> = {};
    names.forEach((name, i) => {
      const v = values[i];
      if (typeof v === 'number') counters[name] = v;
    });
    samples.push({
      kind,
      componentId,
      signal: signal as ComponentSample['signal'],
      startTimeUnixMs,
      timeUnixMs,
      counters,
    });
  }
  return samples;
}
