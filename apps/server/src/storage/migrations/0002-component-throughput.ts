import type { Kysely } from 'kysely';
import type { Migration } from './migration.ts';

/**
 * ComponentThroughput: the raw cumulative counters of one component and signal at one collection
 * time, exactly as the collector reported them (rates are computed at read time). Append-only,
 * high volume, expired by the TTL job through the time index.
 */
export const componentThroughput: Migration = {
  name: '0002-component-throughput',
  async up(db: Kysely<unknown>) {
    let table = db.schema
      .createTable('component_throughput')
      .addColumn('collector_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('component_id', 'text', (c) => c.notNull())
      .addColumn('signal', 'text', (c) => c.notNull())
      .addColumn('time_unix_ms', 'bigint', (c) => c.notNull())
      .addColumn('start_time_unix_ms', 'bigint', (c) => c.notNull())
      .addColumn('received_at_ms', 'bigint', (c) => c.notNull());
    for (const counter of counterColumns) table = table.addColumn(counter, 'double precision');
    await table.execute();
    await db.schema
      .createIndex('component_throughput_collector_time')
      .on('component_throughput')
      .columns(['collector_id', 'time_unix_ms'])
      .execute();
    await db.schema
      .createIndex('component_throughput_received')
      .on('component_throughput')
      .column('received_at_ms')
      .execute();
    // What read-time CPU % needs from the previous host sample.
    await db.schema.alterTable('collectors').addColumn('process_cpu_seconds', 'double precision').execute();
    await db.schema.alterTable('collectors').addColumn('host_sampled_at_ms', 'bigint').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('collectors').dropColumn('host_sampled_at_ms').execute();
    await db.schema.alterTable('collectors').dropColumn('process_cpu_seconds').execute();
    await db.schema.dropTable('component_throughput').execute();
  },
};

/** Counter columns, in the order the fast SQLite writer binds them. */
export const counterColumns = [
  'accepted',
  'refused',
  'failed',
  'incoming',
  'outgoing',
  'dropped',
  'sent',
  'send_failed',
  'enqueue_failed',
  'queue_size',
  'queue_capacity',
] as const;
