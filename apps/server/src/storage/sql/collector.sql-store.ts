import type { Kysely } from 'kysely';
import type { CollectorListFilter, CollectorStore } from '../../domain/fleet/collector.store.ts';
import type { FleetListRow, FleetQuery } from '../../domain/fleet/fleet-list.types.ts';
import type {
  Collector,
  CollectorPatch,
  CollectorStatus,
  ManagementMode,
  NewCollector,
  Runtime,
} from '../../domain/fleet/collector.types.ts';
import type { CollectorRow, Database } from '../schema.ts';
import { countFleetByStatus, listFleet } from './fleet-list.sql.ts';

export class SqlCollectorStore implements CollectorStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres',
  ) {}

  listFleet(query: FleetQuery): Promise<FleetListRow[]> {
    return listFleet(this.db, this.dialect, query, toCollector);
  }

  countFleetByStatus(
    query: Omit<FleetQuery, 'sort' | 'order' | 'limit' | 'after' | 'statuses'>,
  ): Promise<Partial<Record<CollectorStatus, number>>> {
    return countFleetByStatus(this.db, this.dialect, query);
  }

  async insert(collector: NewCollector): Promise<Collector> {
    const row: CollectorRow = {
      id: collector.id,
      name: collector.name,
      runtime: collector.runtime,
      mode: collector.mode,
      status: collector.status ?? 'pending',
      hostname: collector.hostname ?? null,
      os: collector.os ?? null,
      arch: collector.arch ?? null,
      version: collector.version ?? null,
      labels: JSON.stringify(collector.labels ?? {}),
      operator_labels: '{}',
      instance_uid: collector.instanceUid ?? null,
      created_at: collector.createdAtMs,
      last_seen_at: null,
      deregistered_at: null,
      host_cpu_percent: null,
      host_memory_percent: null,
      cpu_percent: null,
      memory_mb: null,
      uptime_seconds: null,
      restart_count: 0,
      process_start_unix_ms: null,
      process_cpu_seconds: null,
      host_cpu_idle_seconds: null,
      host_cpu_total_seconds: null,
      host_sampled_at_ms: null,
      last_telemetry_at_ms: null,
    };
    await this.db.insertInto('collectors').values(row).execute();
    return toCollector(row);
  }

  async get(id: string): Promise<Collector | undefined> {
    const row = await this.db.selectFrom('collectors').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toCollector(row);
  }

  async list(filter: CollectorListFilter): Promise<Collector[]> {
    let query = this.db.selectFrom('collectors').selectAll();
    if (!filter.includeDeregistered) query = query.where('deregistered_at', 'is', null);
    const after = filter.after;
    if (after) {
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '>', after.createdAtMs),
          eb.and([eb('created_at', '=', after.createdAtMs), eb('id', '>', after.id)]),
        ]),
      );
    }
    const rows = await query.orderBy('created_at').orderBy('id').limit(filter.limit).execute();
    return rows.map(toCollector);
  }

  async update(id: string, patch: CollectorPatch): Promise<Collector | undefined> {
    const values = toRowPatch(patch);
    if (Object.keys(values).length > 0) {
      await this.db.updateTable('collectors').set(values).where('id', '=', id).execute();
    }
    return this.get(id);
  }

  async markDeregistered(id: string, atMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('collectors')
      .set({ deregistered_at: atMs, status: 'deregistered' })
      .where('id', '=', id)
      .where('deregistered_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async setEffectiveConfig(id: string, text: string, atMs: number): Promise<void> {
    await this.db
      .insertInto('collector_reports')
      .values({ collector_id: id, effective_config: text, reported_at: atMs })
      .onConflict((oc) =>
        oc.column('collector_id').doUpdateSet({ effective_config: text, reported_at: atMs }),
      )
      .execute();
  }

  async effectiveConfig(id: string): Promise<{ text: string; reportedAtMs: number } | undefined> {
    const row = await this.db
      .selectFrom('collector_reports')
      .select(['effective_config', 'reported_at'])
      .where('collector_id', '=', id)
      .executeTakeFirst();
    return row && { text: row.effective_config, reportedAtMs: row.reported_at };
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('collectors')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('deregistered_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async listSilent(filter: {
    modes: readonly Collector['mode'][];
    status: Collector['status'];
    lastSeenBeforeMs: number;
    limit: number;
  }): Promise<Collector[]> {
    if (filter.modes.length === 0) return [];
    const rows = await this.db
      .selectFrom('collectors')
      .selectAll()
      .where('deregistered_at', 'is', null)
      .where('mode', 'in', filter.modes)
      .where('status', '=', filter.status)
      .where((eb) =>
        eb.or([
          eb('last_seen_at', '<', filter.lastSeenBeforeMs),
          eb.and([eb('last_seen_at', 'is', null), eb('created_at', '<', filter.lastSeenBeforeMs)]),
        ]),
      )
      .orderBy('last_seen_at')
      .limit(filter.limit)
      .execute();
    return rows.map(toCollector);
  }
}

function toCollector(row: CollectorRow): Collector {
  return {
    id: row.id,
    name: row.name,
    runtime: row.runtime as Runtime,
    mode: row.mode as ManagementMode,
    status: row.status as CollectorStatus,
    hostname: row.hostname,
    os: row.os,
    arch: row.arch,
    version: row.version,
    labels: parseLabels(row.labels),
    operatorLabels: parseLabels(row.operator_labels),
    instanceUid: row.instance_uid,
    createdAtMs: row.created_at,
    lastSeenAtMs: row.last_seen_at,
    deregisteredAtMs: row.deregistered_at,
    hostCpuPercent: row.host_cpu_percent,
    hostMemoryPercent: row.host_memory_percent,
    cpuPercent: row.cpu_percent,
    memoryMb: row.memory_mb,
    uptimeSeconds: row.uptime_seconds,
    restartCount: row.restart_count,
    hostSampledAtMs: row.host_sampled_at_ms,
    hostCpuFromCounters: row.host_cpu_total_seconds !== null,
    processStartUnixMs: row.process_start_unix_ms,
    lastTelemetryAtMs: row.last_telemetry_at_ms,
  };
}

const columnOf = {
  name: 'name',
  mode: 'mode',
  status: 'status',
  hostname: 'hostname',
  os: 'os',
  arch: 'arch',
  version: 'version',
  instanceUid: 'instance_uid',
  lastSeenAtMs: 'last_seen_at',
  hostCpuPercent: 'host_cpu_percent',
  hostMemoryPercent: 'host_memory_percent',
  cpuPercent: 'cpu_percent',
  memoryMb: 'memory_mb',
  uptimeSeconds: 'uptime_seconds',
  restartCount: 'restart_count',
  processStartUnixMs: 'process_start_unix_ms',
} as const satisfies Partial<Record<keyof CollectorPatch, keyof CollectorRow>>;

function toRowPatch(patch: CollectorPatch): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(columnOf)) {
    const value = patch[key as keyof typeof columnOf];
    if (value !== undefined) values[column] = value;
  }
  if (patch.labels !== undefined) values.labels = JSON.stringify(patch.labels);
  if (patch.operatorLabels !== undefined) values.operator_labels = JSON.stringify(patch.operatorLabels);
  return values;
}

function parseLabels(text: string): Record<string, string> {
  const value: unknown = JSON.parse(text);
  return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
}
