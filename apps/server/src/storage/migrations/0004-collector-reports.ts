import type { Kysely } from 'kysely';
import type { Migration } from './migration.ts';

/** What a collector last reported about itself outside OpAMP (Alloy's effective config). */
export const collectorReports: Migration = {
  name: '0004-collector-reports',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('collector_reports')
      .addColumn('collector_id', 'text', (c) => c.primaryKey())
      .addColumn('effective_config', 'text', (c) => c.notNull())
      .addColumn('reported_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('collector_reports').execute();
  },
};
