import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyMetricName, firstAttribute, parseSignal, wantsMetric } from './self-metric-names.ts';
import type { ComponentKind, CounterName, HostMetricName, Signal } from './self-metric-names.ts';

interface ComponentRow {
  readonly era: string;
  readonly name: string;
  readonly kind: ComponentKind;
  readonly counter: CounterName;
  readonly signal: Signal;
  readonly signalAttributes?: readonly string[];
  readonly legacy?: boolean;
}

const componentRows: readonly ComponentRow[] = [
  // ≤ v0.91: OpenCensus view names.
  {
    era: 'v0.85 OpenCensus',
    name: 'receiver/accepted_spans',
    kind: 'receiver',
    counter: 'accepted',
    signal: 'traces',
  },
  {
    era: 'v0.85 OpenCensus',
    name: 'receiver/refused_metric_points',
    kind: 'receiver',
    counter: 'refused',
    signal: 'metrics',
  },
  {
    era: 'v0.85 OpenCensus',
    name: 'exporter/sent_log_records',
    kind: 'exporter',
    counter: 'sent',
    signal: 'logs',
  },
  {
    era: 'v0.85 OpenCensus',
    name: 'exporter/send_failed_spans',
    kind: 'exporter',
    counter: 'sendFailed',
    signal: 'traces',
  },
  {
    era: 'v0.85 OpenCensus',
    name: 'exporter/enqueue_failed_log_records',
    kind: 'exporter',
    counter: 'enqueueFailed',
    signal: 'logs',
  },
  {
    era: 'v0.85 OpenCensus',
    name: 'exporter/queue_size',
    kind: 'exporter',
    counter: 'queueSize',
    signal: '',
    signalAttributes: ['data_type'],
  },
  {
    era: 'v0.85 OpenCensus',
    name: 'processor/accepted_spans',
    kind: 'processor',
    counter: 'outgoing',
    signal: 'traces',
    legacy: true,
  },
  // ≤ v0.91 Prometheus exposition with the `otelcol` namespace (and `_total` before v0.90).
  {
    era: 'v0.85 Prometheus',
    name: 'otelcol_receiver_accepted_spans_total',
    kind: 'receiver',
    counter: 'accepted',
    signal: 'traces',
  },
  // v0.92–v0.105: OTLP push without the prefix.
  {
    era: 'v0.92–v0.105 OTLP',
    name: 'receiver_accepted_log_records',
    kind: 'receiver',
    counter: 'accepted',
    signal: 'logs',
  },
  {
    era: 'v0.92–v0.105 OTLP',
    name: 'receiver_refused_spans',
    kind: 'receiver',
    counter: 'refused',
    signal: 'traces',
  },
  {
    era: 'v0.92–v0.105 OTLP',
    name: 'exporter_sent_metric_points',
    kind: 'exporter',
    counter: 'sent',
    signal: 'metrics',
  },
  {
    era: 'v0.92–v0.105 OTLP',
    name: 'exporter_send_failed_log_records',
    kind: 'exporter',
    counter: 'sendFailed',
    signal: 'logs',
  },
  {
    era: 'v0.92–v0.105 OTLP',
    name: 'exporter_queue_capacity',
    kind: 'exporter',
    counter: 'queueCapacity',
    signal: '',
    signalAttributes: ['data_type'],
  },
  // ≥ v0.106: prefix baked into instrument names.
  {
    era: '≥ v0.106 OTLP',
    name: 'otelcol_receiver_accepted_metric_points',
    kind: 'receiver',
    counter: 'accepted',
    signal: 'metrics',
  },
  {
    era: '≥ v0.106 OTLP',
    name: 'otelcol_receiver_accepted_profile_samples',
    kind: 'receiver',
    counter: 'accepted',
    signal: 'profiles',
  },
  {
    era: '≥ v0.133 OTLP',
    name: 'otelcol_receiver_failed_spans',
    kind: 'receiver',
    counter: 'failed',
    signal: 'traces',
  },
  {
    era: '≥ v0.106 OTLP',
    name: 'otelcol_exporter_sent_spans',
    kind: 'exporter',
    counter: 'sent',
    signal: 'traces',
  },
  {
    era: '≥ v0.106 OTLP',
    name: 'otelcol_exporter_enqueue_failed_metric_points',
    kind: 'exporter',
    counter: 'enqueueFailed',
    signal: 'metrics',
  },
  {
    era: '≥ v0.110 OTLP',
    name: 'otelcol_exporter_queue_size',
    kind: 'exporter',
    counter: 'queueSize',
    signal: '',
    signalAttributes: ['data_type'],
  },
  {
    era: '≥ v0.110 OTLP',
    name: 'otelcol_exporter_queue_capacity',
    kind: 'exporter',
    counter: 'queueCapacity',
    signal: '',
    signalAttributes: ['data_type'],
  },
  // ≤ v0.110: processor accepted/refused/dropped (removed in v0.111).
  {
    era: '≤ v0.110 processor',
    name: 'otelcol_processor_accepted_spans',
    kind: 'processor',
    counter: 'outgoing',
    signal: 'traces',
    legacy: true,
  },
  {
    era: '≤ v0.110 processor',
    name: 'processor_refused_metric_points',
    kind: 'processor',
    counter: 'refused',
    signal: 'metrics',
    legacy: true,
  },
  {
    era: '≤ v0.110 processor',
    name: 'otelcol_processor_dropped_log_records',
    kind: 'processor',
    counter: 'dropped',
    signal: 'logs',
    legacy: true,
  },
  // ≥ v0.110: processor incoming/outgoing with `otel.signal`.
  {
    era: '≥ v0.110 processor',
    name: 'otelcol_processor_incoming_items',
    kind: 'processor',
    counter: 'incoming',
    signal: '',
    signalAttributes: ['otel.signal', 'otel_signal'],
  },
  {
    era: '≥ v0.110 processor',
    name: 'otelcol_processor_outgoing_items',
    kind: 'processor',
    counter: 'outgoing',
    signal: '',
    signalAttributes: ['otel.signal', 'otel_signal'],
  },
  // Alloy's embedded components through the OTel Prometheus exporter: `_total` on counters.
  {
    era: 'Alloy',
    name: 'otelcol_receiver_accepted_spans_total',
    kind: 'receiver',
    counter: 'accepted',
    signal: 'traces',
  },
  {
    era: 'Alloy',
    name: 'otelcol_receiver_refused_log_records_total',
    kind: 'receiver',
    counter: 'refused',
    signal: 'logs',
  },
  {
    era: 'Alloy',
    name: 'otelcol_exporter_sent_metric_points_total',
    kind: 'exporter',
    counter: 'sent',
    signal: 'metrics',
  },
  {
    era: 'Alloy',
    name: 'otelcol_exporter_send_failed_spans_total',
    kind: 'exporter',
    counter: 'sendFailed',
    signal: 'traces',
  },
  {
    era: 'Alloy',
    name: 'otelcol_processor_incoming_items_total',
    kind: 'processor',
    counter: 'incoming',
    signal: '',
    signalAttributes: ['otel.signal', 'otel_signal'],
  },
  {
    era: 'Alloy',
    name: 'otelcol_processor_outgoing_items_total',
    kind: 'processor',
    counter: 'outgoing',
    signal: '',
    signalAttributes: ['otel.signal', 'otel_signal'],
  },
  {
    era: 'Alloy',
    name: 'otelcol_exporter_queue_size',
    kind: 'exporter',
    counter: 'queueSize',
    signal: '',
    signalAttributes: ['data_type'],
  },
];

void describe('classifyMetricName: component counters', () => {
  for (const row of componentRows) {
    void test(`${row.era}: ${row.name} is the ${row.kind} ${row.counter} counter for ${row.signal || 'an attribute-given signal'}`, () => {
      const result = classifyMetricName(row.name);
      assert.ok(result?.type === 'component', `expected a component metric, got ${JSON.stringify(result)}`);
      assert.equal(result.kind, row.kind);
      assert.equal(result.counter, row.counter);
      assert.equal(result.signal, row.signal);
      assert.deepEqual(result.signalAttributes, row.signalAttributes ?? []);
      assert.deepEqual(result.componentIdAttributes, ['component_id', row.kind]);
      assert.equal(result.legacy, row.legacy ?? false);
    });
  }
});

const hostRows: readonly { readonly name: string; readonly metric: HostMetricName }[] = [
  { name: 'system.cpu.utilization', metric: 'systemCpuUtilizationRatio' },
  { name: 'system.memory.utilization', metric: 'systemMemoryUtilizationRatio' },
  { name: 'process.cpu.utilization', metric: 'processCpuUtilizationRatio' },
  { name: 'process.memory.usage', metric: 'processMemoryBytes' },
  { name: 'process.uptime', metric: 'processUptimeSeconds' },
  { name: 'otelcol_process_uptime', metric: 'processUptimeSeconds' },
  { name: 'process_uptime', metric: 'processUptimeSeconds' },
  { name: 'otelcol_process_cpu_seconds', metric: 'processCpuSecondsTotal' },
  { name: 'process_cpu_seconds', metric: 'processCpuSecondsTotal' },
  { name: 'otelcol_process_memory_rss', metric: 'processMemoryBytes' },
  { name: 'process_memory_rss', metric: 'processMemoryBytes' },
  { name: 'alloy_resources_process_cpu_seconds_total', metric: 'processCpuSecondsTotal' },
  { name: 'alloy_resources_process_resident_memory_bytes', metric: 'processMemoryBytes' },
  { name: 'alloy_resources_process_start_time_seconds', metric: 'processStartTimeUnixSeconds' },
  { name: 'process_start_time_seconds', metric: 'processStartTimeUnixSeconds' },
  { name: 'process_cpu_seconds_total', metric: 'processCpuSecondsTotal' },
  { name: 'process_resident_memory_bytes', metric: 'processMemoryBytes' },
];

void describe('classifyMetricName: host metrics', () => {
  for (const row of hostRows) {
    void test(`${row.name} is the host metric ${row.metric}`, () => {
      assert.deepEqual(classifyMetricName(row.name), { type: 'host', metric: row.metric });
    });
  }
});

const unwantedNames: readonly { readonly name: string; readonly why: string }[] = [
  { name: 'otelcol_http_server_duration', why: 'a histogram of the OTLP receiver' },
  { name: 'rpc_server_duration', why: 'a gRPC histogram' },
  { name: 'foo', why: 'an unrelated name' },
  { name: '', why: 'empty' },
  {
    name: 'otelcol.receiver.produced.items',
    why: 'pipeline telemetry names its component only in scope attributes',
  },
  {
    name: 'otelcol.exporter.consumed.items',
    why: 'pipeline telemetry names its component only in scope attributes',
  },
  { name: 'otelcol_exporter_in_flight_requests', why: 'not a throughput counter' },
  { name: 'otelcol_processor_batch_batch_send_size', why: 'batch-processor internals' },
  {
    name: 'otelcol_scraper_scraped_metric_points',
    why: 'scraper internals (the receiver counters cover it)',
  },
  { name: 'alloy_resources_machine_rx_bytes_total', why: 'network bytes have no LinkMesh field' },
  { name: 'alloy_build_info', why: 'build metadata' },
  { name: 'otelcol_receiver_accepted_spans_total_total', why: 'only one trailing _total is removed' },
  { name: 'otelcol_receiver_accepted_items', why: 'receivers have no _items counter' },
  { name: `otelcol_receiver_accepted_spans${'_x'.repeat(100)}`, why: 'longer than any wanted name' },
];

void describe('classifyMetricName: names LinkMesh does not use', () => {
  for (const row of unwantedNames) {
    void test(`rejects ${JSON.stringify(row.name)} (${row.why})`, () => {
      assert.equal(classifyMetricName(row.name), undefined);
      assert.equal(wantsMetric(row.name), false);
    });
  }
});

void describe('classifyMetricName: memoisation', () => {
  void test('returns the same answer for a name seen before, wanted or not', () => {
    const first = classifyMetricName('otelcol_exporter_sent_spans');
    assert.equal(classifyMetricName('otelcol_exporter_sent_spans'), first);
    assert.equal(classifyMetricName('not_a_collector_metric'), undefined);
    assert.equal(classifyMetricName('not_a_collector_metric'), undefined);
  });

  void test('keeps answering correctly after far more distinct names than the cache holds', () => {
    for (let i = 0; i < 10_000; i += 1) classifyMetricName(`invented_metric_${i}`);
    assert.equal(wantsMetric('otelcol_receiver_accepted_spans'), true);
    assert.equal(wantsMetric('invented_metric_3'), false);
  });
});

void describe('wantsMetric', () => {
  void test('wants every component and host form', () => {
    for (const row of [...componentRows, ...hostRows]) assert.equal(wantsMetric(row.name), true, row.name);
  });
});

void describe('parseSignal', () => {
  void test('accepts the four signals and maps anything else to the empty signal', () => {
    assert.equal(parseSignal('traces'), 'traces');
    assert.equal(parseSignal('metrics'), 'metrics');
    assert.equal(parseSignal('logs'), 'logs');
    assert.equal(parseSignal('profiles'), 'profiles');
    assert.equal(parseSignal('Traces'), '');
    assert.equal(parseSignal(undefined), '');
  });
});

void describe('firstAttribute', () => {
  void test('takes the first non-empty attribute in key order', () => {
    assert.equal(
      firstAttribute({ component_id: '', receiver: 'otlp' }, ['component_id', 'receiver']),
      'otlp',
    );
    assert.equal(
      firstAttribute({ receiver: 'otlp/x', component_id: 'c' }, ['component_id', 'receiver']),
      'c',
    );
    assert.equal(firstAttribute({}, ['component_id', 'receiver']), '');
  });
});
