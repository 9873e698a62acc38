import { sql, type Kysely } from 'kysely';
import type { Migration } from './migration.ts';

/**
 * The pipeline objects operators edit (issue #11): sources, destinations, pipelines, routes and
 * groups in one table, since they share identity, revision and audit columns and are always read
 * as a whole set to render. `spec` is the object as validated (JSON), with every secret field
 * sealed (AES-256-GCM under the server secret, the object's id as additional data).
 *
 * - `pipeline_object_refs`: which objects each route uses, so a delete can be refused while a
 *   route names the object, inside the same transaction as the delete.
 * - `collectors.operator_labels`: labels an operator sets beside the reported ones; groups and
 *   routes match on both (operator labels win).
 */
export const pipelineObjects: Migration = {
  name: '0011-pipeline-objects',
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('pipeline_objects')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('revision', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('pipeline_objects_kind')
      .on('pipeline_objects')
      .columns(['kind', 'name'])
      .execute();
    await db.schema
      .createTable('pipeline_object_refs')
      .addColumn('route_id', 'text', (c) => c.notNull())
      .addColumn('object_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('pipeline_object_refs_pk', ['route_id', 'object_id'])
      .execute();
    await db.schema
      .createIndex('pipeline_object_refs_object')
      .on('pipeline_object_refs')
      .column('object_id')
      .execute();
    await db.schema
      .alterTable('collectors')
      .addColumn('operator_labels', 'text', (c) => c.notNull().defaultTo(sql`'{}'`))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('collectors').dropColumn('operator_labels').execute();
    await db.schema.dropTable('pipeline_object_refs').execute();
    await db.schema.dropTable('pipeline_objects').execute();
  },
};
