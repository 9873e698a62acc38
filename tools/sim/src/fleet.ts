import http from 'node:http';
import https from 'node:https';
import { SimCollector } from './sim-collector.ts';

export interface ProvisionedCollector {
  readonly id: string;
  readonly bearer: string;
}

/**
 * Creates `count` collectors (otelcol unless `runtime` says `alloy`) through the REST API and
 * mints each one's bearer, `parallel` requests at a time. Needs an Admin (or Operator) `lmsat_` token.
 */
export async function provisionCollectors(
  serverUrl: string,
  adminToken: string,
  count: number,
  options: { namePrefix?: string; parallel?: number; runtime?: 'otelcol' | 'alloy' } = {},
): Promise<ProvisionedCollector[]> {
  const prefix = options.namePrefix ?? 'sim';
  const call = async (path: string, body?: unknown) => {
    const response = await fetch(serverUrl + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    if (!response.ok) throw new Error(`POST ${path} → ${response.status}: ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };
  const result: ProvisionedCollector[] = new Array<ProvisionedCollector>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const created = await call('/api/v1/collectors', {
        name: `${prefix}-${index}`,
        runtime: options.runtime ?? 'otelcol',
      });
      const id = String(created.id);
      const minted = await call(`/api/v1/collectors/${id}/token`);
      result[index] = { id, bearer: String(minted.token) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.parallel ?? 8, count) }, worker));
  return result;
}

export interface FleetOptions {
  readonly serverUrl: string;
  readonly collectors: readonly ProvisionedCollector[];
  /** Push interval of every collector (collectors default to 30–60 s; benchmarks go faster). */
  readonly intervalMs: number;
  /** Most requests in flight at once (keep-alive connections). */
  readonly concurrency: number;
  readonly baseItemsPerSec?: number;
  /** Share of collectors whose main exporter goes through outages. */
  readonly failingExporterRatio?: number;
  readonly restartProbability?: number;
  /** Share of collectors that name metrics without `otelcol_` (before v0.106). */
  readonly oldNamingRatio?: number;
}

export interface FleetStats {
  pushes: number;
  failures: number;
  /** Pushes that could not start on time because `concurrency` requests were in flight. */
  late: number;
  bytes: number;
  statuses: Map<number, number>;
  latenciesMs: number[];
}

/**
 * Runs simulated collectors that push their self-telemetry over real HTTP, each on its own
 * schedule (a fixed interval with a random phase), through a keep-alive connection pool.
 */
export class FleetRunner {
  private readonly sims: SimCollector[];
  private readonly agent: http.Agent;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private startMs = 0;
  private nextIndex = 0;
  private round = 0;
  private readonly phasesMs: number[];
  readonly stats: FleetStats = {
    pushes: 0,
    failures: 0,
    late: 0,
    bytes: 0,
    statuses: new Map(),
    latenciesMs: [],
  };

  constructor(private readonly options: FleetOptions) {
    const url = new URL(options.serverUrl);
    this.agent = new (url.protocol === 'https:' ? https.Agent : http.Agent)({
      keepAlive: true,
      maxSockets: options.concurrency,
    });
    const nowMs = Date.now();
    this.sims = options.collectors.map(
      (_, i) =>
        new SimCollector(
          {
            baseItemsPerSec: options.baseItemsPerSec ?? 500,
            failingExporter: i < options.collectors.length * (options.failingExporterRatio ?? 0.1),
            restartProbability: options.restartProbability ?? 0.001,
            withoutPrefix: i % 100 < 100 * (options.oldNamingRatio ?? 0),
            instanceId: `00000000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`,
            hostName: `sim-host-${i}`,
            seed: i + 1,
          },
          nowMs,
        ),
    );
    // Evenly spread phases: collector i pushes at start + i/N × interval, then every interval.
    this.phasesMs = this.sims.map((_, i) => (i / this.sims.length) * options.intervalMs);
  }

  start(): void {
    this.startMs = Date.now();
    this.timer = setInterval(() => this.dispatchDue(), 2);
  }

  /** Stops scheduling and waits for requests in flight. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    this.agent.destroy();
  }

  private dispatchDue(): void {
    const nowMs = Date.now();
    for (;;) {
      const phase = this.phasesMs[this.nextIndex];
      if (phase === undefined) break;
      const dueMs = this.startMs + this.round * this.options.intervalMs + phase;
      if (dueMs > nowMs) break;
      if (this.inFlight >= this.options.concurrency) {
        this.stats.late += 1;
        break;
      }
      this.push(this.nextIndex, nowMs);
      this.nextIndex += 1;
      if (this.nextIndex === this.sims.length) {
        this.nextIndex = 0;
        this.round += 1;
      }
    }
  }

  private push(index: number, nowMs: number): void {
    const sim = this.sims[index];
    const collector = this.options.collectors[index];
    if (!sim || !collector) return;
    sim.advance(nowMs);
    const body = sim.encode(nowMs);
    this.inFlight += 1;
    const started = performance.now();
    const request = http.request(
      `${this.options.serverUrl}/v1/metrics`,
      {
        method: 'POST',
        agent: this.agent,
        headers: {
          authorization: `Bearer ${collector.bearer}`,
          'content-type': 'application/x-protobuf',
          'content-length': body.length,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          this.inFlight -= 1;
          const status = response.statusCode ?? 0;
          this.stats.pushes += 1;
          this.stats.bytes += body.length;
          this.stats.latenciesMs.push(performance.now() - started);
          this.stats.statuses.set(status, (this.stats.statuses.get(status) ?? 0) + 1);
          if (status !== 200) this.stats.failures += 1;
        });
      },
    );
    request.on('error', () => {
      this.inFlight -= 1;
      this.stats.failures += 1;
    });
    request.end(body);
  }
}

/** p-th percentile (0–100) of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
