import type { Kysely } from 'kysely';
import type {
  PipelineObjectKind,
  PipelineObjectStore,
  StoredObject,
} from '../../domain/pipelines/pipeline-object.types.ts';
import type { Database, PipelineObjectRow } from '../schema.ts';

export class SqlPipelineObjectStore implements PipelineObjectStore {
  constructor(private readonly db: Kysely<Database>) {}

  async list(kind?: PipelineObjectKind): Promise<StoredObject[]> {
    let query = this.db.selectFrom('pipeline_objects').selectAll();
    if (kind !== undefined) query = query.where('kind', '=', kind);
    const rows = await query.orderBy('name').orderBy('id').execute();
    return rows.map(toObject);
  }

  async get(id: string): Promise<StoredObject | undefined> {
    const row = await this.db
      .selectFrom('pipeline_objects')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toObject(row);
  }

  async insert(object: StoredObject): Promise<void> {
    await this.db.insertInto('pipeline_objects').values(toRow(object)).execute();
  }

  async update(object: StoredObject): Promise<boolean> {
    const { id, kind: _kind, created_at: _c, created_by: _b, ...values } = toRow(object);
    const result = await this.db
      .updateTable('pipeline_objects')
      .set(values)
      .where('id', '=', id)
      .where('revision', '=', object.revision - 1)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async delete(id: string, revision: number | undefined): Promise<boolean> {
    let query = this.db.deleteFrom('pipeline_objects').where('id', '=', id);
    if (revision !== undefined) query = query.where('revision', '=', revision);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async lock(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    // A no-op update takes the row locks a SELECT … FOR UPDATE would, in both dialects' SQL.
    const rows = await this.db
      .updateTable('pipeline_objects')
      .set((eb) => ({ revision: eb.ref('revision') }))
      .where('id', 'in', [...ids])
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async setRefs(routeId: string, objectIds: readonly string[]): Promise<void> {
    await this.db.deleteFrom('pipeline_object_refs').where('route_id', '=', routeId).execute();
    const unique = [...new Set(objectIds)];
    if (unique.length > 0)
      await this.db
        .insertInto('pipeline_object_refs')
        .values(unique.map((object_id) => ({ route_id: routeId, object_id })))
        .execute();
  }

  async routesUsing(objectId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('pipeline_object_refs')
      .select('route_id')
      .where('object_id', '=', objectId)
      .orderBy('route_id')
      .execute();
    return rows.map((r) => r.route_id);
  }
}

function toRow(object: StoredObject): PipelineObjectRow {
  return {
    id: object.id,
    kind: object.kind,
    name: object.name,
    spec: JSON.stringify(object.spec),
    revision: object.revision,
    created_at: object.createdAtMs,
    created_by: object.createdBy,
    updated_at: object.updatedAtMs,
    updated_by: object.updatedBy,
  };
}

function toObject(row: PipelineObjectRow): StoredObject {
  return {
    id: row.id,
    kind: row.kind as PipelineObjectKind,
    name: row.name,
    spec: JSON.parse(row.spec) as unknown,
    revision: row.revision,
    createdAtMs: row.created_at,
    createdBy: row.created_by,
    updatedAtMs: row.updated_at,
    updatedBy: row.updated_by,
  };
}
