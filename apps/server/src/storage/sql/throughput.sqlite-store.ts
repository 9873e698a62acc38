import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { RateSummary } from '../../domain/telemetry/rate-summary.ts';
import type {
  CollectorLiveUpdate,
  ProcessState,
  ThroughputBatch,
  ThroughputStore,
} from '../../domain/telemetry/throughput.store.ts';
import type { Database } from '../schema.ts';
import type { RateSummaryRow } from '../schema.fleet.ts';
import { summaryColumns, toRow, toSummary } from './rate-summary.sql-store.ts';
import { definedColumns, SqlThroughputStore } from './throughput.sql-store.ts';
import { toDbRow } from './throughput.rows.ts';

const insertSql =
  'insert into component_throughput (collector_id, time_unix_ms, received_at_ms, sample_count, samples) values (?, ?, ?, ?, ?)';

/**
 * The SQLite ComponentThroughput writer: one prepared statement reused per row (better-sqlite3
 * runs it synchronously in microseconds), instead of compiling a large multi-row INSERT per
 * batch. It must only run while the Kysely connection is held (inside `storage.transaction`),
 * because it shares the same SQLite connection and so the same transaction.
 */
interface PreparedStatements {
  readonly insert: BetterSqlite3.Statement;
  readonly stateById: BetterSqlite3.Statement<[string]>;
  readonly deleteBefore: BetterSqlite3.Statement<[number, number]>;
  readonly summaryById: BetterSqlite3.Statement<[string]>;
  readonly updateSummary: BetterSqlite3.Statement;
  readonly insertSummary: BetterSqlite3.Statement;
  /** One UPDATE per combination of host fields present (a handful in practice). */
  readonly updates: Map<string, BetterSqlite3.Statement>;
}

/** Statements are prepared once per database handle, not once per transaction. */
const preparedByHandle = new WeakMap<BetterSqlite3.Database, PreparedStatements>();

function prepared(handle: BetterSqlite3.Database): PreparedStatements {
  let statements = preparedByHandle.get(handle);
  if (!statements) {
    statements = {
      insert: handle.prepare(insertSql),
      stateById: handle.prepare(
        'select id, process_start_unix_ms, uptime_seconds, process_cpu_seconds, host_cpu_idle_seconds, host_cpu_total_seconds, host_sampled_at_ms, deregistered_at, status, mode from collectors where id = ?',
      ),
      deleteBefore: handle.prepare(
        'delete from component_throughput where rowid in (select rowid from component_throughput where received_at_ms < ? limit ?)',
      ),
      summaryById: handle.prepare('select * from collector_rate_summary where collector_id = ?'),
      // An UPDATE, then an INSERT only for a collector's first summary: cheaper than an upsert,
      // which tries the insert (and its key lookup) on every push first.
      updateSummary: handle.prepare(
        `update collector_rate_summary set ${summaryColumns.map((c) => `${c} = ?`).join(', ')} where collector_id = ?`,
      ),
      insertSummary: handle.prepare(
        `insert into collector_rate_summary (${summaryColumns.join(', ')}, collector_id) values (?${', ?'.repeat(summaryColumns.length)})`,
      ),
      updates: new Map(),
    };
    preparedByHandle.set(handle, statements);
  }
  return statements;
}

interface StateRow {
  id: string;
  process_start_unix_ms: number | null;
  uptime_seconds: number | null;
  process_cpu_seconds: number | null;
  host_cpu_idle_seconds: number | null;
  host_cpu_total_seconds: number | null;
  host_sampled_at_ms: number | null;
  deregistered_at: number | null;
  status: string;
  mode: string;
}

/**
 * The SQLite ComponentThroughput writer: prepared statements reused per row (better-sqlite3 runs
 * them synchronously in microseconds) instead of compiling a large multi-row INSERT per batch.
 * It shares Kysely's single SQLite connection and therefore its transaction; `SqlStorage` only
 * hands it out inside `transaction()`, where that connection is held.
 */
export class SqliteThroughputStore extends SqlThroughputStore implements ThroughputStore {
  private readonly statements: PreparedStatements;

  constructor(
    db: Kysely<Database>,
    private readonly handle: BetterSqlite3.Database,
  ) {
    super(db, 'sqlite');
    this.statements = prepared(handle);
  }

  override insertBatches(batches: readonly ThroughputBatch[]): Promise<void> {
    for (const batch of batches) {
      const row = toDbRow(batch);
      this.statements.insert.run(
        row.collector_id,
        row.time_unix_ms,
        row.received_at_ms,
        row.sample_count,
        row.samples,
      );
    }
    return Promise.resolve();
  }

  override processStates(collectorIds: readonly string[]): Promise<ProcessState[]> {
    const states: ProcessState[] = [];
    for (const id of collectorIds) {
      const r = this.statements.stateById.get(id) as StateRow | undefined;
      if (!r) continue;
      states.push({
        collectorId: r.id,
        processStartUnixMs: r.process_start_unix_ms,
        uptimeSeconds: r.uptime_seconds,
        processCpuSeconds: r.process_cpu_seconds,
        hostCpuIdleSeconds: r.host_cpu_idle_seconds,
        hostCpuTotalSeconds: r.host_cpu_total_seconds,
        hostSampledAtMs: r.host_sampled_at_ms,
        deregistered: r.deregistered_at !== null,
        awaitingFirstContact: r.status === 'pending' && r.mode === 'opamp',
      });
    }
    return Promise.resolve(states);
  }

  override updateLive(updates: readonly CollectorLiveUpdate[]): Promise<void> {
    for (const u of updates) {
      const columns = definedColumns(u);
      const names = Object.keys(columns);
      const key = names.join(',');
      let statement = this.statements.updates.get(key);
      if (!statement) {
        statement = this.handle.prepare(
          `update collectors set last_seen_at = max(coalesce(last_seen_at, 0), ?),
             status = case when status = 'pending' then 'connected' else status end,
             restart_count = restart_count + ?${names.map((n) => `, ${n} = ?`).join('')} where id = ?`,
        );
        this.statements.updates.set(key, statement);
      }
      statement.run(u.lastSeenAtMs, u.restartIncrement, ...names.map((n) => columns[n]), u.collectorId);
    }
    return Promise.resolve();
  }

  override rateSummaries(collectorIds: readonly string[]): Promise<Map<string, RateSummary>> {
    const summaries = new Map<string, RateSummary>();
    for (const id of collectorIds) {
      const row = this.statements.summaryById.get(id) as RateSummaryRow | undefined;
      if (row) summaries.set(id, toSummary(row));
    }
    return Promise.resolve(summaries);
  }

  override writeRateSummaries(summaries: ReadonlyMap<string, RateSummary>): Promise<void> {
    for (const [id, summary] of summaries) {
      const row = toRow(id, summary);
      const values = [...summaryColumns.map((column) => row[column]), id];
      if (this.statements.updateSummary.run(...values).changes === 0)
        this.statements.insertSummary.run(...values);
    }
    return Promise.resolve();
  }

  override deleteReceivedBefore(cutoffMs: number, limit: number): Promise<number> {
    return Promise.resolve(this.statements.deleteBefore.run(cutoffMs, limit).changes);
  }
}
