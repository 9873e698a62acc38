import type { Kysely } from 'kysely';
import type { Migration } from './migration.ts';

/**
 * ComponentThroughput: the raw cumulative counters of every component of one collector at one
 * collection time, exactly as reported (rates are computed at read time). One row per accepted
 * push, its component samples packed as compact JSON (`throughput.codec.ts`): a push carries
 * ~25 component samples, and one row instead of 25 cuts write work and index size by that much.
 * Append-only, high volume, expired by the TTL job through the receive-time index.
 */
export const componentThroughput: Migration = {
  name: '0002-component-throughput',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('component_throughput')
      .addColumn('collector_id', 'text', (c) => c.notNull())
      .addColumn('time_unix_ms', 'bigint', (c) => c.notNull())
      .addColumn('received_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('sample_count', 'integer', (c) => c.notNull())
      .addColumn('samples', 'text', (c) => c.notNull())
      .execute();
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
