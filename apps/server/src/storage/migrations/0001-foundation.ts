import type { Kysely } from 'kysely';
import type { DialectTypes, Migration } from './migration.ts';

/** Collectors, credentials, events, operators, roles, service accounts, audit log, settings. */
export const foundation: Migration = {
  name: '0001-foundation',
  async up(db: Kysely<unknown>, types: DialectTypes) {
    const autoKey = (column: string) => (table: ReturnType<typeof db.schema.createTable>) =>
      table.addColumn(column, types.autoIncrementKey, (c) =>
        types.dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
      );

    await db.schema
      .createTable('collectors')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('runtime', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
      .addColumn('hostname', 'text')
      .addColumn('os', 'text')
      .addColumn('arch', 'text')
      .addColumn('version', 'text')
      .addColumn('labels', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('instance_uid', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint')
      .addColumn('deregistered_at', 'bigint')
      .addColumn('host_cpu_percent', 'double precision')
      .addColumn('host_memory_percent', 'double precision')
      .addColumn('cpu_percent', 'double precision')
      .addColumn('memory_mb', 'double precision')
      .addColumn('uptime_seconds', 'double precision')
      .addColumn('restart_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('process_start_unix_ms', 'bigint')
      .execute();
    await db.schema
      .createIndex('collectors_created')
      .on('collectors')
      .columns(['created_at', 'id'])
      .execute();
    await db.schema.createIndex('collectors_instance_uid').on('collectors').column('instance_uid').execute();

    await db.schema
      .createTable('credentials')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull().unique())
      .addColumn('display_prefix', 'text', (c) => c.notNull())
      .addColumn('collector_id', 'text')
      .addColumn('user_id', 'text')
      .addColumn('service_account_id', 'text')
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint')
      .addColumn('revoked_at', 'bigint')
      .addColumn('used_at', 'bigint')
      .addColumn('bound_to', 'text')
      .addColumn('last_used_at', 'bigint')
      .addColumn('label', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema
      .createIndex('credentials_kind_created')
      .on('credentials')
      .columns(['kind', 'created_at'])
      .execute();
    await db.schema.createIndex('credentials_collector').on('credentials').column('collector_id').execute();
    await db.schema
      .createIndex('credentials_service_account')
      .on('credentials')
      .column('service_account_id')
      .execute();

    await autoKey('id')(db.schema.createTable('events'))
      .addColumn('collector_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('dedupe_key', 'text')
      .execute();
    await db.schema.createIndex('events_collector_at').on('events').columns(['collector_id', 'at']).execute();
    await db.schema
      .createIndex('events_dedupe')
      .on('events')
      .columns(['collector_id', 'dedupe_key'])
      .unique()
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('disabled_at', 'bigint')
      .addColumn('last_login_at', 'bigint')
      .execute();

    await db.schema
      .createTable('roles')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('permissions', 'text', (c) => c.notNull())
      .addColumn('built_in', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable('user_roles')
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('role_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'role_id'])
      .execute();

    await db.schema
      .createTable('service_accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('role_id', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('disabled_at', 'bigint')
      .execute();

    await autoKey('id')(db.schema.createTable('audit_log'))
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('source_ip', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();

    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      'settings',
      'audit_log',
      'service_accounts',
      'user_roles',
      'roles',
      'users',
      'events',
      'credentials',
      'collectors',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
