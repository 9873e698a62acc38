import type { ComponentKind, CounterName, HostMetricName, Signal } from './self-metric-names.ts';

/** One spelling of self-metric names that LinkMesh accepts, and where it comes from. */
export interface SelfMetricNameForm {
  /** Which collector (and version range) or path produces names of this form. */
  readonly origin: string;
  /** What normalisation makes of it (see `classifyMetricName`). */
  readonly rule: string;
  /** Real names of this form, with what each must classify as. */
  readonly examples: readonly (
    | {
        readonly name: string;
        readonly kind: ComponentKind;
        readonly counter: CounterName;
        readonly signal: Signal;
      }
    | { readonly name: string; readonly host: HostMetricName }
  )[];
}

/**
 * Every form of self-metric names the translator accepts, as data (protocols.md §3.4, §4.3, §4.4
 * and the self-telemetry page). Adding a collector version that names things another way means
 * adding a row here; `self-metric-names.forms.test.ts` checks each example against the
 * classifier.
 */
export const selfMetricNameForms: readonly SelfMetricNameForm[] = [
  {
    origin: 'otelcol-contrib v0.85–v0.91: OpenCensus view names',
    rule: '`/` becomes `_`; no `otelcol_` prefix',
    examples: [
      { name: 'receiver/accepted_spans', kind: 'receiver', counter: 'accepted', signal: 'traces' },
      { name: 'exporter/send_failed_log_records', kind: 'exporter', counter: 'sendFailed', signal: 'logs' },
    ],
  },
  {
    origin: 'otelcol-contrib v0.92–v0.105: OTLP push of the OTel-SDK instruments',
    rule: 'no `otelcol_` prefix',
    examples: [
      { name: 'receiver_accepted_metric_points', kind: 'receiver', counter: 'accepted', signal: 'metrics' },
      { name: 'process_uptime', host: 'processUptimeSeconds' },
    ],
  },
  {
    origin: 'otelcol-contrib ≥ v0.106: OTLP push (`service.telemetry` or the OpAMP own_metrics offer)',
    rule: 'one leading `otelcol_` removed',
    examples: [
      {
        name: 'otelcol_receiver_accepted_log_records',
        kind: 'receiver',
        counter: 'accepted',
        signal: 'logs',
      },
      { name: 'otelcol_processor_incoming_items', kind: 'processor', counter: 'incoming', signal: '' },
      { name: 'otelcol_exporter_queue_size', kind: 'exporter', counter: 'queueSize', signal: '' },
      { name: 'otelcol_process_memory_rss', host: 'processMemoryBytes' },
    ],
  },
  {
    origin: 'Grafana Alloy (embedded otelcol components via prometheus.exporter.self), OpenMetrics scrapes',
    rule: 'one trailing `_total` removed; component keyed by `component_id`',
    examples: [
      { name: 'otelcol_exporter_sent_spans_total', kind: 'exporter', counter: 'sent', signal: 'traces' },
      { name: 'alloy_resources_process_cpu_seconds_total', host: 'processCpuSecondsTotal' },
    ],
  },
  {
    origin: 'the self-telemetry page’s own wording (a push “is the same payload a prometheus.scrape gives”)',
    rule: '`_logs` is the `_log_records` counter',
    examples: [
      { name: 'otelcol_receiver_accepted_logs', kind: 'receiver', counter: 'accepted', signal: 'logs' },
      { name: 'otelcol_exporter_sent_logs', kind: 'exporter', counter: 'sent', signal: 'logs' },
      {
        name: 'otelcol_exporter_send_failed_logs_total',
        kind: 'exporter',
        counter: 'sendFailed',
        signal: 'logs',
      },
      { name: 'otelcol_receiver_refused_logs', kind: 'receiver', counter: 'refused', signal: 'logs' },
    ],
  },
  {
    origin:
      'Prometheus exposition with unit suffixes (OTel Go Prometheus exporter naming), scraped and pushed',
    rule: 'one unit suffix (`_seconds`, `_bytes`, `_ratio`) removed from host and process metrics',
    examples: [
      { name: 'otelcol_process_uptime_seconds_total', host: 'processUptimeSeconds' },
      { name: 'otelcol_process_memory_rss_bytes', host: 'processMemoryBytes' },
      { name: 'otelcol_process_cpu_seconds_total', host: 'processCpuSecondsTotal' },
      { name: 'system_cpu_utilization_ratio', host: 'systemCpuUtilizationRatio' },
      { name: 'system_memory_utilization_ratio', host: 'systemMemoryUtilizationRatio' },
      { name: 'process_memory_usage_bytes', host: 'processMemoryBytes' },
    ],
  },
  {
    origin: 'hostmetrics receiver and process scraper over OTLP (semantic-convention names)',
    rule: '`.` becomes `_`',
    examples: [
      { name: 'system.cpu.utilization', host: 'systemCpuUtilizationRatio' },
      { name: 'process.memory.usage', host: 'processMemoryBytes' },
    ],
  },
  {
    origin:
      'node_exporter via Alloy’s `prometheus.exporter.unix` (the host source LinkMesh renders for Alloy: Alloy 1.x has no hostmetrics receiver)',
    rule: 'one trailing `_total` removed; the byte gauges keep their unit and case',
    examples: [
      { name: 'node_cpu_seconds_total', host: 'hostCpuSecondsTotal' },
      { name: 'node_memory_MemTotal_bytes', host: 'hostMemoryTotalBytes' },
      { name: 'node_memory_MemAvailable_bytes', host: 'hostMemoryAvailableBytes' },
    ],
  },
];
