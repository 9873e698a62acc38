import type { Kysely } from 'kysely';
import type { Migration } from './migration.ts';

/**
 * What each OpAMP agent (instance uid) last reported, kept across reconnects and server
 * restarts: description, effective config, health, remote-config status, capabilities.
 */
export const opampAgents: Migration = {
  name: '0003-opamp-agents',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('opamp_agents')
      .addColumn('instance_uid', 'text', (c) => c.primaryKey())
      .addColumn('collector_id', 'text', (c) => c.notNull())
      .addColumn('capabilities', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('description', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('effective_config', 'text')
      .addColumn('health', 'text')
      .addColumn('remote_config_status', 'text')
      .addColumn('transport', 'text', (c) => c.notNull().defaultTo('ws'))
      .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('last_message_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('opamp_agents_collector').on('opamp_agents').column('collector_id').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('opamp_agents').execute();
  },
};
