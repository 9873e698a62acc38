import type { Kysely } from 'kysely';
import type { Migration } from './migration.ts';

/**
 * Each exporter's records and errors per second of the newest push, beside the collector's
 * totals in `collector_rate_summary` (packed JSON): the fleet topology's collector → destination
 * edges read them for 10,000 collectors without touching raw rows.
 */
export const exporterRates: Migration = {
  name: '0013-exporter-rates',
  async up(db: Kysely<unknown>) {
    await db.schema
      .alterTable('collector_rate_summary')
      .addColumn('exporter_rates', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('collector_rate_summary').dropColumn('exporter_rates').execute();
  },
};
