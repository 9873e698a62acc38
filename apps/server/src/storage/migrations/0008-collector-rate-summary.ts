import type { Kysely } from 'kysely';
import type { Migration } from './migration.ts';

/**
 * The fleet list's per-collector rates (decision 0017): `collector_rate_summary`, written by the
 * self-telemetry ingest in the same transaction as the raw rows, one row per collector — records
 * in/out and errors per second from the newest push rated against the samples before it (the
 * throughput API's read-time rules), the component failing most, when the rates were computed,
 * from when they no longer count (`expires_at_ms`), and those last samples (`last_samples`), which
 * the next push — on whichever replica — is rated against.
 */
export const collectorRateSummary: Migration = {
  name: '0008-collector-rate-summary',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('collector_rate_summary')
      .addColumn('collector_id', 'text', (c) => c.primaryKey())
      .addColumn('records_in_per_sec', 'double precision')
      .addColumn('records_out_per_sec', 'double precision')
      .addColumn('errors_per_sec', 'double precision')
      .addColumn('top_error_kind', 'text')
      .addColumn('top_error_component', 'text')
      .addColumn('top_error_per_sec', 'double precision')
      .addColumn('rates_at_ms', 'bigint')
      .addColumn('expires_at_ms', 'bigint')
      .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
      // The last sample of each receiver/exporter series, only the counters the rates use.
      .addColumn('last_samples', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('collector_rate_summary').execute();
  },
};
