import type { Kysely } from 'kysely';
import type { OpampAgentRecord, OpampAgentStore } from '../../domain/opamp/opamp-agent.types.ts';
import type { Database, OpampAgentRow } from '../schema.ts';

export class SqlOpampAgentStore implements OpampAgentStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(instanceUid: string): Promise<OpampAgentRecord | undefined> {
    const row = await this.db
      .selectFrom('opamp_agents')
      .selectAll()
      .where('instance_uid', '=', instanceUid)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async forCollector(collectorId: string): Promise<OpampAgentRecord | undefined> {
    const row = await this.db
      .selectFrom('opamp_agents')
      .selectAll()
      .where('collector_id', '=', collectorId)
      .orderBy('last_message_at', 'desc')
      .executeTakeFirst();
    return row && toRecord(row);
  }

  async upsert(record: OpampAgentRecord): Promise<void> {
    const row: OpampAgentRow = {
      instance_uid: record.instanceUid,
      collector_id: record.collectorId,
      capabilities: record.capabilities,
      description: JSON.stringify(record.description),
      effective_config: record.effectiveConfig,
      health: record.health === null ? null : JSON.stringify(record.health),
      remote_config_status:
        record.remoteConfigStatus === null ? null : JSON.stringify(record.remoteConfigStatus),
      transport: record.transport,
      first_seen_at: record.firstSeenAtMs,
      last_message_at: record.lastMessageAtMs,
    };
    const { instance_uid: _key, first_seen_at: _first, ...update } = row;
    await this.db
      .insertInto('opamp_agents')
      .values(row)
      .onConflict((oc) => oc.column('instance_uid').doUpdateSet(update))
      .execute();
  }
}

function toRecord(row: OpampAgentRow): OpampAgentRecord {
  return {
    instanceUid: row.instance_uid,
    collectorId: row.collector_id,
    capabilities: row.capabilities,
    description: JSON.parse(row.description) as OpampAgentRecord['description'],
    effectiveConfig: row.effective_config,
    health: row.health === null ? null : (JSON.parse(row.health) as OpampAgentRecord['health']),
    remoteConfigStatus:
      row.remote_config_status === null
        ? null
        : (JSON.parse(row.remote_config_status) as OpampAgentRecord['remoteConfigStatus']),
    transport: row.transport === 'http' ? 'http' : 'ws',
    firstSeenAtMs: row.first_seen_at,
    lastMessageAtMs: row.last_message_at,
  };
}
