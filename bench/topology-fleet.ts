/**
 * Seeds the fleet of `npm run bench:topology` (issue #12): pipeline objects, groups and routes
 * through the HTTP API as an operator would, then the collectors (HTTP), then their stored
 * self-telemetry written straight through the store's own batch insert.
 *
 * Why rows bypass HTTP: 9,000 collectors × 120 pushes + 1,000 × 2,880 pushes is ~4 million
 * pushes; at the ingest's few thousand pushes/s on these cores that alone would take tens of
 * minutes. The rows are still what the ingest stores: each push is a `SimCollector` (the fleet
 * simulator) running the pipeline of the config LinkMesh rendered for that collector, encoded as
 * OTLP protobuf, decoded by the server's own decoder and translated by its own translator, then
 * written with `storage.throughput.insertBatches` (one packed row per push) in big transactions,
 * followed by the rate summary and live update the ingest's commit would leave.
 */
import { performance } from 'node:perf_hooks';
import type { ComponentSample } from '../apps/server/src/domain/telemetry/self-metrics.translator.ts';
import { translateSelfMetrics } from '../apps/server/src/domain/telemetry/self-metrics.translator.ts';
import { wantsMetric } from '../apps/server/src/domain/telemetry/self-metric-names.ts';
import { nextRateSummary, type RateSummary } from '../apps/server/src/domain/telemetry/rate-summary.ts';
import type { ThroughputBatch } from '../apps/server/src/domain/telemetry/throughput.store.ts';
import { decodeMetricsProtobuf } from '../apps/server/src/protocols/otlp/otlp-protobuf.decoder.ts';
import type { TestServer } from '../apps/server/src/testing/server-harness.ts';
import { apiRetrying } from './topology-measure.ts';
import { SimCollector } from '../tools/sim/src/sim-collector.ts';
import { simPipelineFromConfig } from '../tools/sim/src/sim-pipeline.ts';

export const pushIntervalMs = 30_000;
const hourPushes = 3_600_000 / pushIntervalMs;
const dayPushes = 86_400_000 / pushIntervalMs;

export interface FleetSize {
  readonly collectors: number;
  /** How many of them hold 24 h of pushes (the rest hold 1 h). */
  readonly dayCollectors: number;
}

export interface SeededCollector {
  readonly id: string;
  readonly runtime: 'otelcol' | 'alloy';
  readonly pushes: number;
  readonly shape: string;
}

export interface SeededFleet {
  readonly collectors: readonly SeededCollector[];
  /** Samples (component series) per push, by shape. */
  readonly samplesPerPush: ReadonlyMap<string, number>;
  /** Server time of the newest push. */
  readonly endMs: number;
  readonly pushesWritten: number;
  readonly collectorDays: number;
  readonly timings: { objectsSec: number; collectorsSec: number; simulateSec: number; rowsSec: number };
}

const regions = ['eu', 'us'] as const;
const tiers = ['a', 'b', 'c', 'd'] as const;

/** `TestServer.api` as a free function. */
type Api = (path: string, init?: RequestInit & { json?: unknown }) => Promise<Response>;
const apiOf =
  (t: TestServer): Api =>
  (path, init) =>
    t.api(path, init);

async function post(api: Api, path: string, json: unknown, method = 'POST'): Promise<{ id: string }> {
  const response = await api(path, { method, json });
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${await response.text()}`);
  return (await response.json()) as { id: string };
}

/**
 * Three OTLP sources, three OTLP/HTTP destinations, two pipelines and one route per region
 * group and per tier group but the last: a collector is in one region and one tier, so it runs
 * one or two routes — a rendered graph of ~6–12 elements.
 */
async function seedObjects(api: Api): Promise<void> {
  const source = async (name: string) =>
    (await post(api, '/api/v1/sources', { name, type: 'otlp', config: {} })).id;
  const destination = async (name: string) =>
    (
      await post(api, '/api/v1/destinations', {
        name,
        type: 'otlphttp',
        config: { endpoint: `https://${name}.vendor.example` },
      })
    ).id;
  const pipeline = async (name: string, steps: string[]) =>
    (
      await post(api, '/api/v1/pipelines', {
        name,
        processors: steps.map((type) => ({ type, config: {} })),
      })
    ).id;
  const group = async (label: string, value: string) =>
    (await post(api, '/api/v1/groups', { name: `${label}-${value}`, matchers: [{ label, op: '=', value }] }))
      .id;
  const [apps, edge, infra] = [
    await source('app otlp'),
    await source('edge otlp'),
    await source('infra otlp'),
  ];
  const [vendor, archive, lake] = [
    await destination('vendor'),
    await destination('archive'),
    await destination('lake'),
  ];
  const guarded = await pipeline('guarded', ['memory_limiter', 'batch']);
  const batched = await pipeline('batched', ['batch']);
  const route = (
    name: string,
    sourceId: string,
    pipelineId: string,
    destinationIds: string[],
    groupId: string,
  ) =>
    post(api, '/api/v1/routes', {
      name,
      sourceId,
      pipelineId,
      destinationIds,
      target: { groupIds: [groupId] },
    });
  await route('eu apps', apps, guarded, [vendor], await group('region', 'eu'));
  await route('us apps', apps, guarded, [vendor, archive], await group('region', 'us'));
  await route('tier a edge', edge, batched, [lake], await group('tier', 'a'));
  await route('tier b infra', infra, guarded, [archive, lake], await group('tier', 'b'));
  await route('tier c edge', edge, guarded, [vendor], await group('tier', 'c'));
}

/** Creates collectors over HTTP (name, runtime, then labels), `parallel` at a time. */
async function seedCollectors(api: Api, size: FleetSize, parallel: number): Promise<SeededCollector[]> {
  const result = new Array<SeededCollector>(size.collectors);
  // One collector in every `step` holds a day, the diagonal (index mod step = block mod step)
  // so that the day collectors cover every runtime, region and tier.
  const step = size.dayCollectors > 0 ? Math.max(1, Math.floor(size.collectors / size.dayCollectors)) : 0;
  const isDay = (index: number) => step > 0 && index % step === Math.floor(index / step) % step;
  let next = 0;
  const worker = async () => {
    while (next < size.collectors) {
      const index = next++;
      const runtime = index % 2 === 0 ? 'otelcol' : 'alloy';
      const region = regions[Math.floor(index / 2) % regions.length] ?? 'eu';
      const tier = tiers[Math.floor(index / 4) % tiers.length] ?? 'a';
      const { id } = await post(api, '/api/v1/collectors', { name: `bench-${index}`, runtime });
      await post(api, `/api/v1/collectors/${id}/labels`, { labels: { region, tier } }, 'PUT');
      result[index] = {
        id,
        runtime,
        pushes: isDay(index) ? dayPushes : hourPushes,
        shape: `${runtime}/${region}/${tier}`,
      };
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return result;
}

/** The rendered config of a collector, as `GET /collectors/{id}/config` shows it (renders it once). */
export async function renderedConfig(t: TestServer, collectorId: string): Promise<string> {
  const response = await apiRetrying(t, `/api/v1/collectors/${collectorId}/config`);
  if (!response.ok) throw new Error(`config of ${collectorId}: ${response.status}`);
  const body = (await response.json()) as { rendered: { content: string } | null };
  if (!body.rendered) throw new Error(`collector ${collectorId} has no rendered config`);
  return body.rendered.content;
}

/**
 * `pushes` consecutive pushes of one simulated collector running `config`, ending at `endMs`:
 * OTLP protobuf encoded by the simulator, decoded and translated by the server's own code.
 */
function simulatePushes(
  config: string,
  flavor: 'otelcol' | 'alloy',
  pushes: number,
  endMs: number,
  seed: number,
): ComponentSample[][] {
  const pipeline = simPipelineFromConfig(config, flavor);
  if (!pipeline) throw new Error(`the simulator cannot read the rendered ${flavor} config`);
  const startMs = endMs - (pushes - 1) * pushIntervalMs;
  const sim = new SimCollector(
    {
      baseItemsPerSec: 500,
      failingExporter: seed % 3 === 0,
      // About one restart per collector-week.
      restartProbability: 0.00005,
      withoutPrefix: false,
      flavor,
      instanceId: `bench-${seed}`,
      hostName: `bench-host-${seed}`,
      seed,
    },
    startMs - pushIntervalMs,
    pipeline,
  );
  const result: ComponentSample[][] = [];
  for (let i = 0; i < pushes; i++) {
    const atMs = startMs + i * pushIntervalMs;
    sim.advance(atMs);
    const decoded = decodeMetricsProtobuf(sim.encode(atMs), { wants: wantsMetric });
    result.push(translateSelfMetrics(decoded.resources).components);
  }
  return result;
}

/**
 * Seeds the whole fleet. Collectors of one shape (runtime, region, tier) run the same rendered
 * config, so they share one simulated traffic history (their rows differ only in collector ID);
 * every shape gets its own seed.
 */
export async function seedFleet(
  t: TestServer,
  size: FleetSize,
  log: (line: string) => void,
): Promise<SeededFleet> {
  const started = performance.now();
  const api = apiOf(t);
  await seedObjects(api);
  const objectsSec = (performance.now() - started) / 1000;

  const collectorsStarted = performance.now();
  const collectors = await seedCollectors(api, size, 8);
  const collectorsSec = (performance.now() - collectorsStarted) / 1000;
  log(`${collectors.length} collectors created over HTTP in ${collectorsSec.toFixed(1)} s`);

  const simulateStarted = performance.now();
  const endMs = Date.now();
  const histories = new Map<string, ComponentSample[][]>();
  const samplesPerPush = new Map<string, number>();
  const shapes = new Map<string, SeededCollector[]>();
  for (const c of collectors) {
    const members = shapes.get(c.shape);
    if (members) members.push(c);
    else shapes.set(c.shape, [c]);
  }
  let seed = 1;
  for (const [shape, members] of shapes) {
    const first = members[0];
    if (!first) continue;
    const pushes = Math.max(...members.map((m) => m.pushes));
    const history = simulatePushes(await renderedConfig(t, first.id), first.runtime, pushes, endMs, seed++);
    histories.set(shape, history);
    samplesPerPush.set(shape, history[history.length - 1]?.length ?? 0);
  }
  const simulateSec = (performance.now() - simulateStarted) / 1000;
  log(`${shapes.size} shapes simulated in ${simulateSec.toFixed(1)} s`);

  const rowsStarted = performance.now();
  const pushesWritten = await writeRows(t, collectors, histories, endMs, log);
  const rowsSec = (performance.now() - rowsStarted) / 1000;
  log(`${pushesWritten.toLocaleString('en')} pushes written in ${rowsSec.toFixed(1)} s`);

  const collectorDays = collectors.reduce((sum, c) => sum + (c.pushes * pushIntervalMs) / 86_400_000, 0);
  return {
    collectors,
    samplesPerPush,
    endMs,
    pushesWritten,
    collectorDays,
    timings: { objectsSec, collectorsSec, simulateSec, rowsSec },
  };
}

/** Pushes per transaction: big, as a bulk load, yet small enough to keep memory flat. */
const pushesPerTransaction = 20_000;

async function writeRows(
  t: TestServer,
  collectors: readonly SeededCollector[],
  histories: ReadonlyMap<string, ComponentSample[][]>,
  endMs: number,
  log: (line: string) => void,
): Promise<number> {
  const storage = t.server.storage;
  let pending: ThroughputBatch[] = [];
  let written = 0;
  let lastLogMs = performance.now();
  const flush = async () => {
    const batches = pending;
    pending = [];
    await storage.transaction((stores) => stores.throughput.insertBatches(batches));
    written += batches.length;
    if (performance.now() - lastLogMs > 15_000) {
      lastLogMs = performance.now();
      log(`… ${written.toLocaleString('en')} pushes`);
    }
  };
  for (const c of collectors) {
    const history = histories.get(c.shape) ?? [];
    const offset = history.length - c.pushes;
    for (let i = 0; i < c.pushes; i++) {
      const samples = history[offset + i];
      if (!samples) continue;
      // Received a moment after the collector's own sample time, as over a LAN.
      const receivedAtMs = endMs - (c.pushes - 1 - i) * pushIntervalMs + 150;
      pending.push({ collectorId: c.id, receivedAtMs, samples });
      if (pending.length >= pushesPerTransaction) await flush();
    }
  }
  if (pending.length > 0) await flush();

  // What the ingest's commit leaves besides the rows: the fleet list's rate summary (from the
  // last two pushes) and the collector's live fields (last seen, last telemetry).
  for (let start = 0; start < collectors.length; start += 1000) {
    const slice = collectors.slice(start, start + 1000);
    const summaries = new Map<string, RateSummary>();
    for (const c of slice) {
      const history = histories.get(c.shape) ?? [];
      const pushes = [history.length - 2, history.length - 1].flatMap((index, k) => {
        const samples = history[index];
        return samples ? [{ receivedAtMs: endMs - (1 - k) * pushIntervalMs + 150, samples }] : [];
      });
      summaries.set(c.id, nextRateSummary(undefined, pushes));
    }
    await storage.transaction(async (stores) => {
      await stores.throughput.writeRateSummaries(summaries);
      await stores.throughput.updateLive(
        slice.map((c) => ({ collectorId: c.id, lastSeenAtMs: endMs + 150, restartIncrement: 0 })),
      );
    });
  }
  return written;
}
