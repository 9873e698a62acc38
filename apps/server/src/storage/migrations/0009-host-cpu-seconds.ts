import type { Kysely } from 'kysely';
import type { Migration } from './migration.ts';

/**
 * The last cumulative host CPU seconds (idle, and all modes) of collectors whose host source
 * reports CPU only as counters (node_exporter, the Alloy host source): host CPU % is derived
 * from two pushes, like the process CPU % from `process_cpu_seconds`.
 */
export const hostCpuSeconds: Migration = {
  name: '0009-host-cpu-seconds',
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('collectors').addColumn('host_cpu_idle_seconds', 'double precision').execute();
    await db.schema
      .alterTable('collectors')
      .addColumn('host_cpu_total_seconds', 'double precision')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('collectors').dropColumn('host_cpu_total_seconds').execute();
    await db.schema.alterTable('collectors').dropColumn('host_cpu_idle_seconds').execute();
  },
};
