import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * The tables of migration 0008 (decision 0017), typed beside `schema.ts` rather than inside it:
 * the fleet list's stores see `FleetDatabase`, everything else `Database`. Same database, same
 * connection; {@link fleetDb} only widens the type.
 */
export interface FleetDatabase extends Database {
  collector_rate_summary: RateSummaryRow;
}

/** Per-collector rates written by the self-telemetry ingest. */
export interface RateSummaryRow {
  collector_id: string;
  records_in_per_sec: number | null;
  records_out_per_sec: number | null;
  errors_per_sec: number | null;
  top_error_kind: string | null;
  top_error_component: string | null;
  top_error_per_sec: number | null;
  rates_at_ms: number | null;
  expires_at_ms: number | null;
  received_at_ms: number;
  /** Packed last samples (`rate-summary.sql-store.ts`, `packLastSamples`). */
  last_samples: string;
  /** Packed exporter rates (`packExporterRates`). */
  exporter_rates: string;
}

export const fleetDb = (db: Kysely<Database>): Kysely<FleetDatabase> =>
  db as unknown as Kysely<FleetDatabase>;
