import type { Kysely } from 'kysely';
import type { Migration } from './migration.ts';

/**
 * Throughput windows select by the server's receive time (decision 0015): one index on
 * (collector, receive time) serves the newest-first read of a window, replacing the one on the
 * collector's own clock, which no query uses any more (one index less to maintain per push).
 */
export const throughputByReceiveTime: Migration = {
  name: '0007-throughput-by-receive-time',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('component_throughput_collector_received')
      .on('component_throughput')
      .columns(['collector_id', 'received_at_ms'])
      .execute();
    await db.schema.dropIndex('component_throughput_collector_time').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema
      .createIndex('component_throughput_collector_time')
      .on('component_throughput')
      .columns(['collector_id', 'time_unix_ms'])
      .execute();
    await db.schema.dropIndex('component_throughput_collector_received').execute();
  },
};
