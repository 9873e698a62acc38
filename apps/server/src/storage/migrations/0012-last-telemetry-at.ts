import type { Kysely } from 'kysely';
import type { Migration } from './migration.ts';

/**
 * When the server last committed a self-telemetry push of the collector, whatever it carried
 * (`last_seen_at` also moves with OpAMP and remotecfg traffic). The topology's diagnosis tells
 * "no push ever received" from "pushes arrive but carry no component metrics" with it.
 */
export const lastTelemetryAt: Migration = {
  name: '0012-last-telemetry-at',
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('collectors').addColumn('last_telemetry_at_ms', 'bigint').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('collectors').dropColumn('last_telemetry_at_ms').execute();
  },
};
