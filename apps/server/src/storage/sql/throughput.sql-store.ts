import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { RateSummary } from '../../domain/telemetry/rate-summary.ts';
import type {
  CollectorLiveUpdate,
  ProcessState,
  ThroughputBatch,
  ThroughputRow,
  ThroughputStore,
} from '../../domain/telemetry/throughput.store.ts';
import type { Database } from '../schema.ts';
import { SqlRateSummaryStore } from './rate-summary.sql-store.ts';
import { toDbRow, unpackNewestRows } from './throughput.rows.ts';

/** 5 columns × 2,000 rows stays far below PostgreSQL's 65,535 bind parameters. */
const insertChunkRows = 2000;

/** ComponentThroughput through Kysely (both dialects; SQLite has a faster writer for transactions). */
export class SqlThroughputStore implements ThroughputStore {
  private readonly summaries: SqlRateSummaryStore;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {
    this.summaries = new SqlRateSummaryStore(db, dialect);
  }

  async insertBatches(batches: readonly ThroughputBatch[]): Promise<void> {
    for (let start = 0; start < batches.length; start += insertChunkRows) {
      const chunk = batches.slice(start, start + insertChunkRows).map(toDbRow);
      await this.db.insertInto('component_throughput').values(chunk).execute();
    }
  }

  async processStates(collectorIds: readonly string[]): Promise<ProcessState[]> {
    if (collectorIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('collectors')
      .select([
        'id',
        'process_start_unix_ms',
        'uptime_seconds',
        'process_cpu_seconds',
        'host_cpu_idle_seconds',
        'host_cpu_total_seconds',
        'host_sampled_at_ms',
        'deregistered_at',
        'status',
        'mode',
      ])
      .where('id', 'in', [...collectorIds])
      .execute();
    return rows.map((r) => ({
      collectorId: r.id,
      processStartUnixMs: r.process_start_unix_ms,
      uptimeSeconds: r.uptime_seconds,
      processCpuSeconds: r.process_cpu_seconds,
      hostCpuIdleSeconds: r.host_cpu_idle_seconds,
      hostCpuTotalSeconds: r.host_cpu_total_seconds,
      hostSampledAtMs: r.host_sampled_at_ms,
      deregistered: r.deregistered_at !== null,
      awaitingFirstContact: r.status === 'pending' && r.mode === 'opamp',
    }));
  }

  async updateLive(updates: readonly CollectorLiveUpdate[]): Promise<void> {
    for (const u of updates) {
      await this.db
        .updateTable('collectors')
        .set({
          last_seen_at: sql<number>`${sql.raw(this.dialect === 'postgres' ? 'greatest' : 'max')}(coalesce(last_seen_at, 0), ${u.lastSeenAtMs})`,
          status: sql<string>`case when status = 'pending' then 'connected' else status end`,
          restart_count: sql<number>`restart_count + ${u.restartIncrement}`,
          ...definedColumns(u),
        })
        .where('id', '=', u.collectorId)
        .execute();
    }
  }

  async listRows(
    collectorId: string,
    filter: { sinceMs: number; untilMs: number; limit: number; edgesOfBucketsMs?: number },
  ): Promise<ThroughputRow[]> {
    // Newest first, so the limit cuts the oldest end; a push holds at least one sample, so
    // `limit` pushes always cover `limit` rows.
    let query = this.db
      .selectFrom('component_throughput')
      .selectAll()
      .where('collector_id', '=', collectorId)
      .where('received_at_ms', '>=', filter.sinceMs)
      .where('received_at_ms', '<', filter.untilMs);
    if (filter.edgesOfBucketsMs !== undefined) {
      query = query.where('received_at_ms', 'in', bucketEdges(collectorId, filter, filter.edgesOfBucketsMs));
    }
    const pushes = await query.orderBy('received_at_ms', 'desc').limit(filter.limit).execute();
    return unpackNewestRows(pushes, filter.limit);
  }

  async deleteReceivedBefore(cutoffMs: number, limit: number): Promise<number> {
    // Bounded deletes keep each TTL transaction short on a large table.
    const rowKey = sql.raw(this.dialect === 'postgres' ? 'ctid' : 'rowid');
    const result = await sql`delete from component_throughput where ${rowKey} in (
        select ${rowKey} from component_throughput where received_at_ms < ${cutoffMs} limit ${limit})`.execute(
      this.db,
    );
    return Number(result.numAffectedRows ?? 0n);
  }

  async deleteForCollector(collectorId: string): Promise<number> {
    const result = await this.db
      .deleteFrom('component_throughput')
      .where('collector_id', '=', collectorId)
      .executeTakeFirst();
    await this.summaries.deleteForCollector(collectorId);
    return Number(result.numDeletedRows);
  }

  rateSummaries(collectorIds: readonly string[]): Promise<Map<string, RateSummary>> {
    return this.summaries.forCollectors(collectorIds);
  }

  writeRateSummaries(summaries: ReadonlyMap<string, RateSummary>): Promise<void> {
    return this.summaries.write(summaries);
  }
}

/**
 * The receive times of the first and last push of each bucket and of the two newest pushes, for
 * {@link SqlThroughputStore.listRows}; both dialects walk the (collector_id, received_at_ms)
 * index. The bucket number is cast: SQLite divides the bound values as reals.
 */
function bucketEdges(
  collectorId: string,
  window: { sinceMs: number; untilMs: number },
  bucketMs: number,
): RawBuilder<number> {
  const inWindow = sql`collector_id = ${collectorId} and received_at_ms >= ${window.sinceMs} and received_at_ms < ${window.untilMs}`;
  const bucket = sql`cast((received_at_ms - ${window.sinceMs}) / ${Math.max(1, Math.floor(bucketMs))} as bigint)`;
  return sql<number>`(
    select min(received_at_ms) from component_throughput where ${inWindow} group by ${bucket}
    union select max(received_at_ms) from component_throughput where ${inWindow} group by ${bucket}
    union select received_at_ms from (
      select received_at_ms from component_throughput where ${inWindow} order by received_at_ms desc limit 2
    ) as newest
  )`;
}

/** The host columns an update sets (undefined fields keep their stored value). */
export function definedColumns(u: CollectorLiveUpdate): Record<string, number> {
  const columns: Record<string, number | undefined> = {
    host_cpu_percent: u.hostCpuPercent,
    host_memory_percent: u.hostMemoryPercent,
    cpu_percent: u.cpuPercent,
    memory_mb: u.memoryMb,
    uptime_seconds: u.uptimeSeconds,
    process_start_unix_ms: u.processStartUnixMs,
    process_cpu_seconds: u.processCpuSeconds,
    host_cpu_idle_seconds: u.hostCpuIdleSeconds,
    host_cpu_total_seconds: u.hostCpuTotalSeconds,
    host_sampled_at_ms: u.hostSampledAtMs,
    // Every committed push, whatever it carried (the topology's diagnosis reads it).
    last_telemetry_at_ms: u.lastSeenAtMs,
  };
  return Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined)) as Record<
    string,
    number
  >;
}
