/**
 * The HTTP half of `npm run bench:topology`: timed topology reads against a seeded server, each
 * next to a plain indexed read of the same rows in the same run, and the store's bytes.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../apps/server/src/domain/shared/clock.ts';
import {
  denseBucketMaxMs,
  maxThroughputRowsPerQuery,
  ThroughputQuery,
} from '../apps/server/src/domain/telemetry/throughput.query.ts';

/** The canvas's sparkline buckets (`canvasBuckets` in topology.service.ts, not exported). */
const canvasBuckets = 30;
import type { Database } from '../apps/server/src/storage/schema.ts';
import type { TestServer } from '../apps/server/src/testing/server-harness.ts';

/**
 * `t.api`, sent again once when the connection was reset: after seeding blocked the event loop
 * for minutes, a pooled keep-alive socket may be one the server has just closed.
 */
export async function apiRetrying(t: TestServer, path: string): Promise<Response> {
  try {
    return await t.api(path);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return t.api(path);
  }
}

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly count: number;
}

export function percentiles(samplesMs: readonly number[]): Percentiles {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
  return { p50: at(50), p99: at(99), count: sorted.length };
}

/** Park–Miller: the same collectors are picked on every run of one size. */
export function seededRandom(seed: number): () => number {
  let state = (seed % 2147483646) + 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

/** The Kysely handle behind the server's storage (`SqlStorage.db`), for the plain baseline reads. */
export function databaseOf(t: TestServer): Kysely<Database> {
  const db = (t.server.storage as unknown as { db?: Kysely<Database> }).db;
  if (!db) throw new Error('storage has no SQL handle');
  return db;
}

/** Bytes the store holds for `component_throughput` (table, indexes, TOAST) or the whole SQLite file. */
export async function storeBytes(t: TestServer): Promise<number> {
  const db = databaseOf(t);
  if (t.server.storage.dialect === 'postgres') {
    const { rows } = await sql<{ bytes: string }>`
      select pg_total_relation_size('component_throughput')::text as bytes`.execute(db);
    return Number(rows[0]?.bytes ?? NaN);
  }
  // The SQLite file's logical size (WAL frames included): taken before and after the rows.
  const pages = await sql<{ page_count: number }>`pragma page_count`.execute(db);
  const size = await sql<{ page_size: number }>`pragma page_size`.execute(db);
  return (pages.rows[0]?.page_count ?? NaN) * (size.rows[0]?.page_size ?? NaN);
}

/**
 * Runs `work` under the V8 CPU profiler when BENCH_PROFILE_DIR is set, writing
 * `<dir>/topology-<name>.cpuprofile` (client and server share this process: the server's share is
 * what `bench/cpuprofile-top.ts` shows under apps/server and its packages).
 */
export async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await work();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(dir, `topology-${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

export interface ReadFigures {
  readonly topology: Percentiles;
  /** `storage.throughput.listRows` of every push: the SQL read plus JSON decode and unpacking into rows. */
  readonly listRows: Percentiles;
  /**
   * `listRows` as the canvas's 30 buckets read it since 5ab709f: only each bucket's first and
   * last push (and the newest two) when a bucket is wider than 2 minutes — the 24 h window.
   */
  readonly edgeRows: Percentiles;
  readonly edgePushesPerRead: number;
  /** The bare indexed SELECT of the same pushes, no decode: the baseline. */
  readonly plain: Percentiles;
  /** `JSON.parse` of the selected pushes' sample texts alone. */
  readonly parse: Percentiles;
  /** `ThroughputQuery.components` in this process: listRows plus the per-series rate math. */
  readonly components: Percentiles;
  readonly elements: { min: number; mean: number; max: number };
  readonly pushesPerRead: number;
  readonly rowsPerRead: number;
  /** Config renders the reads caused (`linkmesh_config_renders_total` before and after). */
  readonly renders: number;
  readonly failures: number;
  /** Reads whose rows the 50,000-row limit cut (fewer pushes than the window holds), and the shortest span kept. */
  readonly cutReads: number;
  readonly shortestSpanHours: number;
}

async function metricTotal(t: TestServer, name: string): Promise<number> {
  const response = await apiRetrying(t, '/metrics');
  if (!response.ok) return NaN;
  let total = 0;
  for (const line of (await response.text()).split('\n')) {
    if (line.startsWith(name + ' ') || line.startsWith(name + '{')) total += Number(line.split(' ').pop());
  }
  return total;
}

/**
 * `requests` reads of `GET /collectors/{id}/topology?window=…` on collectors drawn from `ids`,
 * one in flight; after each, the same collector's rows of the same window read as the topology
 * reads them (`listRows`) and by a plain indexed SELECT. `warmup` reads first are not counted.
 */
export async function measureCollectorReads(
  t: TestServer,
  ids: readonly string[],
  options: {
    window: '15m' | '24h';
    requests: number;
    warmup: number;
    seed: number;
    /** Reads after which the in-process breakdown (parse, components) is no longer taken. */
    breakdownReads: number;
    /** The server's clock (the bench shifts it so the newest push is a moment old). */
    clock: Clock;
  },
): Promise<ReadFigures> {
  const windowMs = options.window === '15m' ? 15 * 60_000 : 86_400_000;
  const random = seededRandom(options.seed);
  const db = databaseOf(t);
  const topology: number[] = [];
  const listRows: number[] = [];
  const plain: number[] = [];
  const parse: number[] = [];
  const components: number[] = [];
  const edgeRows: number[] = [];
  let edgePushes = 0;
  const query = new ThroughputQuery(t.server.storage, options.clock);
  const elements: number[] = [];
  let pushes = 0;
  let rows = 0;
  let failures = 0;
  let cutReads = 0;
  let shortestSpanHours = Infinity;
  const rendersBefore = await metricTotal(t, 'linkmesh_config_renders_total');
  for (let i = 0; i < options.warmup + options.requests; i++) {
    const id = ids[Math.floor(random() * ids.length)] ?? '';
    const counted = i >= options.warmup;

    let started = performance.now();
    const response = await apiRetrying(t, `/api/v1/collectors/${id}/topology?window=${options.window}`);
    const body = (await response.json()) as { nodes?: unknown[]; edges?: { from: string; to: string }[] };
    const topologyMs = performance.now() - started;
    if (!response.ok) failures += 1;

    const nowMs = options.clock.nowMs();
    const filter = { sinceMs: nowMs - windowMs, untilMs: nowMs + 1, limit: maxThroughputRowsPerQuery };
    started = performance.now();
    const listed = await t.server.storage.throughput.listRows(id, filter);
    const listRowsMs = performance.now() - started;

    started = performance.now();
    const selected = await sql<{ received_at_ms: number; samples: string }>`
      select received_at_ms, samples from component_throughput
      where collector_id = ${id} and received_at_ms >= ${filter.sinceMs} and received_at_ms < ${filter.untilMs}
      order by received_at_ms desc limit ${filter.limit}`.execute(db);
    const plainMs = performance.now() - started;

    const bucketMs = windowMs / canvasBuckets;
    started = performance.now();
    const edges =
      bucketMs > denseBucketMaxMs
        ? await t.server.storage.throughput.listRows(id, { ...filter, edgesOfBucketsMs: bucketMs })
        : listed;
    const edgeRowsMs = bucketMs > denseBucketMaxMs ? performance.now() - started : listRowsMs;

    if (!counted) continue;
    edgeRows.push(edgeRowsMs);
    edgePushes += new Set(edges.map((r) => r.receivedAtMs)).size;
    if (topology.length < options.breakdownReads) {
      started = performance.now();
      for (const push of selected.rows) JSON.parse(push.samples);
      parse.push(performance.now() - started);
      started = performance.now();
      await query.components(id, { windowMs, buckets: canvasBuckets });
      components.push(performance.now() - started);
    }
    topology.push(topologyMs);
    listRows.push(listRowsMs);
    plain.push(plainMs);
    const pairs = new Set((body.edges ?? []).map((e) => `${e.from}>${e.to}`)).size;
    elements.push((body.nodes?.length ?? 0) + pairs);
    pushes += selected.rows.length;
    rows += listed.length;
    const kept = new Set(listed.map((r) => r.receivedAtMs));
    if (kept.size < selected.rows.length) cutReads += 1;
    const oldest = listed[0]?.receivedAtMs;
    const newest = listed[listed.length - 1]?.receivedAtMs;
    if (oldest !== undefined && newest !== undefined)
      shortestSpanHours = Math.min(shortestSpanHours, (newest - oldest) / 3_600_000);
  }
  const rendersAfter = await metricTotal(t, 'linkmesh_config_renders_total');
  return {
    topology: percentiles(topology),
    listRows: percentiles(listRows),
    edgeRows: percentiles(edgeRows),
    edgePushesPerRead: edgePushes / Math.max(1, topology.length),
    plain: percentiles(plain),
    parse: percentiles(parse),
    components: percentiles(components),
    elements: {
      min: Math.min(...elements),
      mean: elements.reduce((a, b) => a + b, 0) / Math.max(1, elements.length),
      max: Math.max(...elements),
    },
    pushesPerRead: pushes / Math.max(1, topology.length),
    rowsPerRead: rows / Math.max(1, topology.length),
    renders: rendersAfter - rendersBefore,
    failures,
    cutReads,
    shortestSpanHours,
  };
}

export interface FleetFigures {
  readonly view: Percentiles;
  /** The whole fleet list read as the view reads it: keyset pages of 1,000 (`storage.collectors.listFleet`). */
  readonly pagedList: Percentiles;
  readonly pages: number;
  /** Its first page alone. */
  readonly firstPage: Percentiles;
  /** One plain SELECT of every collector joined with the rate-summary columns the view reads. */
  readonly plain: Percentiles;
  readonly nodes: number;
  readonly edges: number;
  readonly truncated: boolean;
  readonly bytes: number;
}

/** `GET /api/v1/topology` (the fleet view), or undefined when the server does not serve it (404). */
export async function measureFleetView(
  t: TestServer,
  options: { requests: number; warmup: number; clock: Clock },
): Promise<FleetFigures | undefined> {
  const probe = await apiRetrying(t, '/api/v1/topology');
  if (probe.status === 404) return undefined;
  if (!probe.ok) throw new Error(`GET /api/v1/topology → ${probe.status}: ${await probe.text()}`);
  await probe.arrayBuffer();
  const db = databaseOf(t);
  const view: number[] = [];
  const plain: number[] = [];
  const pagedList: number[] = [];
  const firstPage: number[] = [];
  let pages = 0;
  let last: { nodes: unknown[]; edges: unknown[]; truncated: boolean } = {
    nodes: [],
    edges: [],
    truncated: false,
  };
  let bytes = 0;
  for (let i = 0; i < options.warmup + options.requests; i++) {
    let started = performance.now();
    const response = await apiRetrying(t, '/api/v1/topology');
    const text = await response.text();
    const viewMs = performance.now() - started;
    if (!response.ok) throw new Error(`GET /api/v1/topology → ${response.status}: ${text}`);
    started = performance.now();
    await sql`select c.*, s.records_in_per_sec, s.records_out_per_sec, s.errors_per_sec, s.top_error_kind,
        s.top_error_component, s.top_error_per_sec, s.rates_at_ms, s.expires_at_ms, s.received_at_ms, s.exporter_rates
      from collectors c left join collector_rate_summary s on s.collector_id = c.id`.execute(db);
    const plainMs = performance.now() - started;
    // FleetService.wholeFleet's paging, timed page by page.
    const asOfMs = options.clock.nowMs();
    let after: { value: string | number | null; id: string } | undefined;
    let pagedMs = 0;
    let firstMs = 0;
    pages = 0;
    for (;;) {
      started = performance.now();
      const page = await t.server.storage.collectors.listFleet({
        limit: 1000,
        asOfMs,
        sort: 'createdAt',
        order: 'asc',
        ...(after ? { after } : {}),
      });
      const pageMs = performance.now() - started;
      if (pages === 0) firstMs = pageMs;
      pagedMs += pageMs;
      pages += 1;
      const lastRow = page.at(-1);
      if (page.length < 1000 || !lastRow) break;
      after = { value: lastRow.sortValue, id: lastRow.collector.id };
    }
    if (i < options.warmup) continue;
    pagedList.push(pagedMs);
    firstPage.push(firstMs);
    view.push(viewMs);
    plain.push(plainMs);
    bytes = text.length;
    last = JSON.parse(text) as typeof last;
  }
  return {
    view: percentiles(view),
    pagedList: percentiles(pagedList),
    pages,
    firstPage: percentiles(firstPage),
    plain: percentiles(plain),
    nodes: last.nodes.length,
    edges: last.edges.length,
    truncated: last.truncated,
    bytes,
  };
}
