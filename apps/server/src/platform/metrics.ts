import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { FastHistogram } from './fast-histogram.ts';

/** The server's own Prometheus metrics (`/metrics`): process, HTTP and storage families. */
export class ServerMetrics {
  readonly registry = new Registry();

  /** Requests counted by {@link countFastPathRequest}, added to the counter at scrape time. */
  private readonly pendingFastPathRequests = new Map<
    string,
    { labels: [string, string, string]; n: number }
  >();

  readonly httpRequests: Counter<'method' | 'route' | 'status'> = new Counter({
    name: 'linkmesh_http_requests_total',
    help: 'HTTP requests served, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
    collect: () => {
      for (const pending of this.pendingFastPathRequests.values()) {
        if (pending.n > 0) this.httpRequests.labels(...pending.labels).inc(pending.n);
        pending.n = 0;
      }
    },
  });

  /** Latency of the raw fast-path routes (Alloy's GetConfig), which skip Fastify. */
  readonly httpFastPathDuration = new FastHistogram(
    'linkmesh_http_fast_path_request_duration_seconds',
    'Latency of requests answered on the raw fast path ahead of Fastify (Alloy GetConfig), by method and route.',
    ['method', 'route'],
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    this.registry,
  );

  readonly httpRequestDuration = new Histogram({
    name: 'linkmesh_http_request_duration_seconds',
    help: 'HTTP request latency, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  /** Sockets destroyed on arrival, by why (`per_address_cap`: maxConnectionsPerAddress reached). */
  readonly httpConnectionsRefused = new Counter({
    name: 'linkmesh_http_connections_refused_total',
    help: 'TCP connections closed on arrival, by reason (per_address_cap: the address already holds maxConnectionsPerAddress).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly storageQueries = new Counter({
    name: 'linkmesh_storage_queries_total',
    help: 'Storage queries run, by dialect and outcome.',
    labelNames: ['dialect', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly storageQueryDuration = new Histogram({
    name: 'linkmesh_storage_query_duration_seconds',
    help: 'Storage query latency, by dialect.',
    labelNames: ['dialect'] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });

  readonly storageUp = new Gauge({
    name: 'linkmesh_storage_up',
    help: '1 when the last readiness probe reached the database, else 0.',
    labelNames: ['dialect'] as const,
    registers: [this.registry],
  });

  readonly telemetryFlushDuration = new Histogram({
    name: 'linkmesh_telemetry_flush_duration_seconds',
    help: 'Time to write one batch of self-telemetry (ComponentThroughput rows and collector updates).',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly telemetryPushesWritten = new Counter({
    name: 'linkmesh_telemetry_pushes_written_total',
    help: 'Self-telemetry pushes written to ComponentThroughput (one packed row each).',
    registers: [this.registry],
  });

  /** Routed collector configs by where their template came from (see CollectorRenderer). */
  readonly configTemplates = new Counter({
    name: 'linkmesh_config_templates_total',
    help: 'Routed collector config templates made, by source: render (the pipeline renderer ran) or reused (the render of the same input set, the collector id swapped in).',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });

  /** Pipeline renders run: one per distinct input set, not one per collector. */
  readonly configRenders = new Counter({
    name: 'linkmesh_config_renders_total',
    help: 'Pipeline renders run for delivery (one per distinct input set: runtime, version, routes, objects); a collector sharing an input set reuses the render.',
    registers: [this.registry],
  });

  /** Fleet-wide config walks over this process's OpAMP connections. */
  readonly configFanOuts = new Counter({
    name: 'linkmesh_opamp_config_fanouts_total',
    help: 'Fleet-wide config changes walked over the connected OpAMP agents, by outcome: done, or superseded by a newer change mid-walk.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly configFanOutDuration = new Histogram({
    name: 'linkmesh_opamp_config_fanout_duration_seconds',
    help: 'From a fleet-wide config change to the last connected OpAMP agent handed its config (or the walk superseded).',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly configFanOutAgents = new Counter({
    name: 'linkmesh_opamp_config_fanout_agents_total',
    help: 'OpAMP connections visited by fleet-wide config walks (each handed its config when it changed).',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'linkmesh_' });
  }

  /**
   * Counts one fast-path request in `linkmesh_http_requests_total` with a plain increment; the
   * counter catches up when scraped (prom-client's per-call label hashing is what this avoids).
   */
  countFastPathRequest(method: string, route: string, status: number): void {
    const key = `${method} ${route} ${status}`;
    const pending = this.pendingFastPathRequests.get(key);
    if (pending) pending.n += 1;
    else this.pendingFastPathRequests.set(key, { labels: [method, route, String(status)], n: 1 });
  }

  /** The renderer's counters (CollectorRenderer deps), label children bound once. */
  renderCounters(): { rendered(): void; reused(): void } {
    const rendered = this.configTemplates.labels('render');
    const reused = this.configTemplates.labels('reused');
    return {
      rendered: () => {
        this.configRenders.inc();
        rendered.inc();
      },
      reused: () => reused.inc(),
    };
  }

  /** The OpAMP fan-out's observer (AgentConnections). */
  fanOutObserver(): {
    fanOut(outcome: 'done' | 'superseded', seconds: number, agents: number): void;
  } {
    return {
      fanOut: (outcome, seconds, agents) => {
        this.configFanOuts.labels(outcome).inc();
        this.configFanOutDuration.labels(outcome).observe(seconds);
        this.configFanOutAgents.inc(agents);
      },
    };
  }

  /** A storage `onQuery` hook for `openStorage`. */
  storageQueryObserver(dialect: string): (durationMs: number, failed: boolean) => void {
    const ok = this.storageQueries.labels(dialect, 'ok');
    const error = this.storageQueries.labels(dialect, 'error');
    const duration = this.storageQueryDuration.labels(dialect);
    return (durationMs, failed) => {
      (failed ? error : ok).inc();
      duration.observe(durationMs / 1000);
    };
  }
}
