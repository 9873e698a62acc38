import type { Kysely } from 'kysely';
import type { Migration } from './migration.ts';

/**
 * Managed-mode hosts (`linkmesh-agent`): the agent's public key (rotated bearers are sealed to
 * it), its last host-context report, and a rotated bearer waiting for collection (sealed box only);
 * an index for the liveness sweep of polling collectors.
 */
export const managedAgents: Migration = {
  name: '0005-managed-agents',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('managed_agents')
      .addColumn('collector_id', 'text', (c) => c.primaryKey())
      .addColumn('public_key', 'text')
      .addColumn('report', 'text')
      .addColumn('reported_at', 'bigint')
      .addColumn('pending_rotation', 'text')
      .execute();
    // The liveness sweep of polling collectors (remotecfg, Managed) looks them up by status and age.
    await db.schema
      .createIndex('collectors_status_last_seen')
      .on('collectors')
      .columns(['status', 'last_seen_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('collectors_status_last_seen').execute();
    await db.schema.dropTable('managed_agents').execute();
  },
};
