import type { Kysely } from 'kysely';
import type { AgentReportRequest } from '@linkmesh/contracts/agent-api';
import type {
  ManagedAgentRecord,
  ManagedAgentStore,
  PendingRotation,
} from '../../domain/managed/managed-agent.types.ts';
import type { Database, ManagedAgentRow } from '../schema.ts';

const emptyRow = (collectorId: string): ManagedAgentRow => ({
  collector_id: collectorId,
  public_key: null,
  report: null,
  reported_at: null,
  pending_rotation: null,
});

export class SqlManagedAgentStore implements ManagedAgentStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(collectorId: string): Promise<ManagedAgentRecord | undefined> {
    const row = await this.db
      .selectFrom('managed_agents')
      .selectAll()
      .where('collector_id', '=', collectorId)
      .executeTakeFirst();
    return row && toRecord(row);
  }

  setPublicKey(collectorId: string, publicKey: string | null): Promise<void> {
    return this.upsert(collectorId, { public_key: publicKey });
  }

  saveReport(collectorId: string, report: AgentReportRequest, atMs: number): Promise<void> {
    return this.upsert(collectorId, { report: JSON.stringify(report), reported_at: atMs });
  }

  setPendingRotation(collectorId: string, pending: PendingRotation | null): Promise<void> {
    return this.upsert(collectorId, { pending_rotation: pending === null ? null : JSON.stringify(pending) });
  }

  private async upsert(
    collectorId: string,
    columns: Partial<Omit<ManagedAgentRow, 'collector_id'>>,
  ): Promise<void> {
    await this.db
      .insertInto('managed_agents')
      .values({ ...emptyRow(collectorId), ...columns })
      .onConflict((oc) => oc.column('collector_id').doUpdateSet(columns))
      .execute();
  }
}

function toRecord(row: ManagedAgentRow): ManagedAgentRecord {
  return {
    collectorId: row.collector_id,
    publicKey: row.public_key,
    report: row.report === null ? null : (JSON.parse(row.report) as AgentReportRequest),
    reportedAtMs: row.reported_at,
    pendingRotation:
      row.pending_rotation === null ? null : (JSON.parse(row.pending_rotation) as PendingRotation),
  };
}
