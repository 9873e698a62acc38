import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The server's own Prometheus metrics (`/metrics`): process, HTTP and storage families. */
export class ServerMetrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'linkmesh_http_requests_total',
    help: 'HTTP requests served, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpRequestDuration = new Histogram({
    name: 'linkmesh_http_request_duration_seconds',
    help: 'HTTP request latency, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'linkmesh_' });
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
