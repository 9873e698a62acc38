/**
 * The pipeline every simulated collector runs, shared by the traffic model (`SimCollector`) and
 * the payload shapes that describe it in otelcol's or Alloy's self-telemetry form. Components
 * are named by their otelcol id (`type[/name]`); the Alloy shape maps them to Alloy component
 * ids (`otelcol.receiver.otlp.default`).
 */

export const signals = [
  { suffix: 'spans', signal: 'traces' },
  { suffix: 'metric_points', signal: 'metrics' },
  { suffix: 'log_records', signal: 'logs' },
] as const;
export type SignalSuffix = (typeof signals)[number]['suffix'];

/** Receivers with the share of the collector's traffic each takes; `otlp` listens twice. */
export const receivers = [
  { id: 'otlp', transport: 'grpc', share: 0.5 },
  { id: 'otlp', transport: 'http', share: 0.3 },
  { id: 'filelog/app', transport: '', share: 0.15 },
  { id: 'syslog', transport: 'tcp', share: 0.05 },
] as const;
export const processors = ['memory_limiter', 'batch', 'attributes/env'] as const;
/** `otlphttp/backend` is the exporter that goes through outages. */
export const exporters = ['otlphttp/backend', 'kafka/archive', 'debug'] as const;
export const scrapers = ['cpu', 'memory', 'disk', 'filesystem', 'network'] as const;
export const queueCapacityBatches = 1000;

/** Keys of the cumulative counters the traffic model keeps (one per series it emits). */
export const counterKey = {
  receiver: (id: string, transport: string, kind: 'accepted' | 'refused', suffix: SignalSuffix) =>
    `r:${id}:${transport}:${kind}_${suffix}`,
  processor: (id: string, signal: string, kind: 'incoming' | 'outgoing') => `p:${id}:${signal}:${kind}`,
  exporter: (id: string, kind: 'sent' | 'send_failed' | 'enqueue_failed', suffix: SignalSuffix) =>
    `e:${id}:${kind}_${suffix}`,
  scraper: (scraper: string) => `s:${scraper}`,
};
