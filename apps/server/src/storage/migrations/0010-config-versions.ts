import { sql, type Kysely } from 'kysely';
import type { Migration } from './migration.ts';

/**
 * Config versions per collector (issue #11 item 5) and the one secret LinkMesh renders into
 * every config it delivers: the collector's telemetry token, kept sealed (AES-256-GCM under the
 * server secret) on its credential row next to its hash.
 *
 * - `collector_config_versions`: every rendered config that differed from the one before, with
 *   its template (secrets as placeholders, never plaintext), the hash of what was delivered, the
 *   author, the reason and a unified diff against the previous template.
 * - `collector_config_state`: the version each collector should run, the hash of the last
 *   render from the objects (so a rollback holds until an edit changes the render), and the
 *   apply status the collector last reported.
 */
export const configVersions: Migration = {
  name: '0010-config-versions',
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('credentials').addColumn('sealed_value', 'text').execute();
    await db.schema
      .createTable('collector_config_versions')
      .addColumn('collector_id', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('hash', 'text', (c) => c.notNull())
      .addColumn('format', 'text', (c) => c.notNull())
      .addColumn('template', 'text', (c) => c.notNull())
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('diff', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('collector_config_versions_pk', ['collector_id', 'version'])
      .execute();
    await db.schema
      .createIndex('collector_config_versions_hash')
      .on('collector_config_versions')
      .columns(['collector_id', 'hash'])
      .execute();
    await db.schema
      .createTable('collector_config_state')
      .addColumn('collector_id', 'text', (c) => c.primaryKey())
      .addColumn('current_version', 'integer', (c) => c.notNull())
      // The hash of the last render from the objects: a rollback holds until that changes.
      .addColumn('render_hash', 'text', (c) => c.notNull())
      .addColumn('apply_status', 'text', (c) => c.notNull().defaultTo(sql`'APPLYING'`))
      .addColumn('apply_version', 'integer')
      .addColumn('apply_error', 'text')
      .addColumn('apply_updated_at', 'bigint')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('collector_config_state').execute();
    await db.schema.dropTable('collector_config_versions').execute();
    await db.schema.alterTable('credentials').dropColumn('sealed_value').execute();
  },
};
