import type { Kysely } from 'kysely';
import type {
  ApplyStatus,
  ConfigFormat,
  ConfigState,
  ConfigVersion,
  ConfigVersionStore,
} from '../../domain/collector-config/config-version.types.ts';
import type { ConfigStateRow, ConfigVersionRow, Database } from '../schema.ts';

export class SqlConfigVersionStore implements ConfigVersionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async latest(collectorId: string): Promise<ConfigVersion | undefined> {
    const row = await this.versions(collectorId).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return row && toVersion(row);
  }

  async get(collectorId: string, version: number): Promise<ConfigVersion | undefined> {
    const row = await this.versions(collectorId).where('version', '=', version).executeTakeFirst();
    return row && toVersion(row);
  }

  async byHash(collectorId: string, hashHex: string): Promise<ConfigVersion | undefined> {
    const row = await this.versions(collectorId)
      .where('hash', '=', hashHex)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toVersion(row);
  }

  async list(
    collectorId: string,
    options: { limit: number; beforeVersion?: number },
  ): Promise<ConfigVersion[]> {
    let query = this.versions(collectorId);
    if (options.beforeVersion !== undefined) query = query.where('version', '<', options.beforeVersion);
    const rows = await query.orderBy('version', 'desc').limit(options.limit).execute();
    return rows.map(toVersion);
  }

  async insert(version: ConfigVersion): Promise<boolean> {
    const result = await this.db
      .insertInto('collector_config_versions')
      .values({
        collector_id: version.collectorId,
        version: version.version,
        hash: version.hashHex,
        format: version.format,
        template: version.template,
        author: version.author,
        reason: version.reason,
        diff: version.diff,
        created_at: version.createdAtMs,
      })
      .onConflict((oc) => oc.columns(['collector_id', 'version']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async state(collectorId: string): Promise<ConfigState | undefined> {
    const row = await this.db
      .selectFrom('collector_config_state')
      .selectAll()
      .where('collector_id', '=', collectorId)
      .executeTakeFirst();
    return row && toState(row);
  }

  async setCurrent(collectorId: string, version: number, renderHash: string): Promise<void> {
    await this.db
      .insertInto('collector_config_state')
      .values({
        collector_id: collectorId,
        current_version: version,
        render_hash: renderHash,
        apply_status: 'APPLYING',
        apply_version: null,
        apply_error: null,
        apply_updated_at: null,
      })
      .onConflict((oc) =>
        oc.column('collector_id').doUpdateSet({
          current_version: version,
          render_hash: renderHash,
          apply_status: 'APPLYING',
          apply_error: null,
        }),
      )
      .execute();
  }

  async setApply(
    collectorId: string,
    apply: { status: ApplyStatus; version: number | null; error: string | null; atMs: number },
  ): Promise<void> {
    await this.db
      .updateTable('collector_config_state')
      .set({
        apply_status: apply.status,
        apply_version: apply.version,
        apply_error: apply.error,
        apply_updated_at: apply.atMs,
      })
      .where('collector_id', '=', collectorId)
      .execute();
  }

  private versions(collectorId: string) {
    return this.db
      .selectFrom('collector_config_versions')
      .selectAll()
      .where('collector_id', '=', collectorId);
  }
}

function toVersion(row: ConfigVersionRow): ConfigVersion {
  return {
    collectorId: row.collector_id,
    version: row.version,
    hashHex: row.hash,
    format: row.format as ConfigFormat,
    template: row.template,
    author: row.author,
    reason: row.reason,
    diff: row.diff,
    createdAtMs: row.created_at,
  };
}

function toState(row: ConfigStateRow): ConfigState {
  return {
    collectorId: row.collector_id,
    currentVersion: row.current_version,
    renderHash: row.render_hash,
    applyStatus: row.apply_status as ApplyStatus,
    applyVersion: row.apply_version === null ? null : row.apply_version,
    applyError: row.apply_error,
    applyUpdatedAtMs: row.apply_updated_at === null ? null : row.apply_updated_at,
  };
}
