import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PROCESS_START_UNIX_MS, T0_UNIX_MS, aGauge, aPoint, aResource } from './metric-point.fixtures.ts';
import { translateSelfMetrics } from './self-metrics.translator.ts';
import type { ComponentSample } from './self-metrics.translator.ts';

const MiB = 1024 * 1024;

function findSample(
  components: readonly ComponentSample[],
  kind: ComponentSample['kind'],
  componentId: string,
  signal: ComponentSample['signal'],
): ComponentSample {
  const found = components.find(
    (c) => c.kind === kind && c.componentId === componentId && c.signal === signal,
  );
  assert.ok(found, `no sample for ${kind} ${componentId} ${signal}`);
  return found;
}

void describe('translateSelfMetrics: otelcol-contrib ≥ v0.110 push', () => {
  // One periodic-reader collection: the SDK reads the clock per instrument, so times differ by µs.
  const push = [
    aResource(
      [
        aPoint({
          name: 'otelcol_receiver_accepted_spans',
          value: 1200,
          attributes: { receiver: 'otlp', transport: 'grpc' },
        }),
        aPoint({
          name: 'otelcol_receiver_accepted_spans',
          value: 300,
          timeUnixMs: T0_UNIX_MS + 0.004,
          attributes: { receiver: 'otlp', transport: 'http' },
        }),
        aPoint({
          name: 'otelcol_receiver_refused_spans',
          value: 5,
          attributes: { receiver: 'otlp', transport: 'grpc' },
        }),
        aPoint({
          name: 'otelcol_receiver_refused_spans',
          value: 0,
          attributes: { receiver: 'otlp', transport: 'http' },
        }),
        aPoint({
          name: 'otelcol_receiver_accepted_log_records',
          value: 80,
          attributes: { receiver: 'otlp/2', transport: 'http' },
        }),
        aPoint({
          name: 'otelcol_processor_incoming_items',
          value: 1500,
          attributes: { processor: 'batch', 'otel.signal': 'traces' },
        }),
        aPoint({
          name: 'otelcol_processor_outgoing_items',
          value: 1490,
          attributes: { processor: 'batch', 'otel.signal': 'traces' },
        }),
        aPoint({
          name: 'otelcol_processor_incoming_items',
          value: 80,
          attributes: { processor: 'batch', 'otel.signal': 'logs' },
        }),
        aPoint({
          name: 'otelcol_processor_outgoing_items',
          value: 80,
          attributes: { processor: 'batch', 'otel.signal': 'logs' },
        }),
        aPoint({
          name: 'otelcol_exporter_sent_spans',
          value: 1400,
          attributes: { exporter: 'otlphttp/backend' },
        }),
        aPoint({
          name: 'otelcol_exporter_send_failed_spans',
          value: 60,
          attributes: {
            exporter: 'otlphttp/backend',
            'error.type': 'Unavailable',
            'error.permanent': 'false',
          },
        }),
        aPoint({
          name: 'otelcol_exporter_send_failed_spans',
          value: 30,
          attributes: {
            exporter: 'otlphttp/backend',
            'error.type': 'DeadlineExceeded',
            'error.permanent': 'false',
          },
        }),
        aPoint({
          name: 'otelcol_exporter_enqueue_failed_spans',
          value: 0,
          attributes: { exporter: 'otlphttp/backend' },
        }),
        aGauge({
          name: 'otelcol_exporter_queue_size',
          value: 12,
          attributes: { exporter: 'otlphttp/backend', data_type: 'traces' },
        }),
        aGauge({
          name: 'otelcol_exporter_queue_capacity',
          value: 1000,
          attributes: { exporter: 'otlphttp/backend', data_type: 'traces' },
        }),
        aPoint({ name: 'otelcol_process_uptime', value: 3600, monotonic: true }),
        aGauge({ name: 'otelcol_process_memory_rss', value: 150 * MiB }),
        aPoint({ name: 'otelcol_process_cpu_seconds', value: 42.5 }),
        aPoint({ name: 'otelcol_http_server_duration', value: 1 }),
      ],
      { 'service.name': 'otelcol-contrib', 'service.instance.id': '0190a3b4-7c1d-7e2f-8a9b-0c1d2e3f4a5b' },
    ),
  ];
  const result = translateSelfMetrics(push);

  void test('writes one sample per component and signal, summing a counter over transports and error types', () => {
    assert.deepEqual(findSample(result.components, 'receiver', 'otlp', 'traces'), {
      kind: 'receiver',
      componentId: 'otlp',
      signal: 'traces',
      counters: { accepted: 1500, refused: 5 },
      startTimeUnixMs: PROCESS_START_UNIX_MS,
      timeUnixMs: T0_UNIX_MS + 0.004,
    });
    assert.deepEqual(findSample(result.components, 'exporter', 'otlphttp/backend', 'traces').counters, {
      sent: 1400,
      sendFailed: 90,
      enqueueFailed: 0,
      queueSize: 12,
      queueCapacity: 1000,
    });
    assert.equal(result.components.length, 5);
  });

  void test('keys processors by `processor` and reads their signal from `otel.signal`', () => {
    assert.deepEqual(findSample(result.components, 'processor', 'batch', 'traces').counters, {
      incoming: 1500,
      outgoing: 1490,
    });
    assert.deepEqual(findSample(result.components, 'processor', 'batch', 'logs').counters, {
      incoming: 80,
      outgoing: 80,
    });
  });

  void test('keeps component ids with a slash and a name as given', () => {
    assert.deepEqual(findSample(result.components, 'receiver', 'otlp/2', 'logs').counters, { accepted: 80 });
  });

  void test('orders samples by kind, component id and signal', () => {
    assert.deepEqual(
      result.components.map((c) => `${c.kind} ${c.componentId} ${c.signal}`),
      [
        'exporter otlphttp/backend traces',
        'processor batch logs',
        'processor batch traces',
        'receiver otlp traces',
        'receiver otlp/2 logs',
      ],
    );
  });

  void test('puts process metrics on the host sample, memory in MiB and start time derived from uptime', () => {
    assert.deepEqual(result.host, {
      memoryMb: 150,
      uptimeSeconds: 3600,
      processStartTimeUnixMs: T0_UNIX_MS - 3_600_000,
      cpuSecondsTotal: 42.5,
      timeUnixMs: T0_UNIX_MS,
    });
  });

  void test('reports the service.instance.id join key and counts the unused histogram as ignored', () => {
    assert.deepEqual(result.serviceInstanceIds, ['0190a3b4-7c1d-7e2f-8a9b-0c1d2e3f4a5b']);
    assert.deepEqual(result.ignored, { unknownName: 1, deltaTemporality: 0, missingComponentId: 0 });
    assert.equal(result.ignoredPointCount, 1);
  });
});

void describe('translateSelfMetrics: older collectors', () => {
  void test('v0.92–v0.105 push without prefix: queue gauges without data_type land under the empty signal', () => {
    const result = translateSelfMetrics([
      aResource([
        aPoint({
          name: 'receiver_accepted_metric_points',
          value: 900,
          attributes: { receiver: 'prometheus/self', transport: 'http' },
        }),
        aPoint({ name: 'exporter_sent_metric_points', value: 880, attributes: { exporter: 'otlp' } }),
        aGauge({ name: 'exporter_queue_size', value: 3, attributes: { exporter: 'otlp' } }),
        aGauge({ name: 'exporter_queue_capacity', value: 5000, attributes: { exporter: 'otlp' } }),
      ]),
    ]);
    assert.deepEqual(findSample(result.components, 'receiver', 'prometheus/self', 'metrics').counters, {
      accepted: 900,
    });
    assert.deepEqual(findSample(result.components, 'exporter', 'otlp', 'metrics').counters, { sent: 880 });
    assert.deepEqual(findSample(result.components, 'exporter', 'otlp', '').counters, {
      queueSize: 3,
      queueCapacity: 5000,
    });
  });

  void test('≤ v0.109 processor accepted/refused/dropped become outgoing/refused/dropped', () => {
    const result = translateSelfMetrics([
      aResource([
        aPoint({ name: 'processor_accepted_spans', value: 700, attributes: { processor: 'memory_limiter' } }),
        aPoint({ name: 'processor_refused_spans', value: 20, attributes: { processor: 'memory_limiter' } }),
        aPoint({ name: 'processor_dropped_spans', value: 0, attributes: { processor: 'memory_limiter' } }),
      ]),
    ]);
    assert.deepEqual(findSample(result.components, 'processor', 'memory_limiter', 'traces').counters, {
      outgoing: 700,
      refused: 20,
      dropped: 0,
    });
  });

  void test('v0.110 emits both processor generations: outgoing_items wins over the deprecated accepted, in either order', () => {
    const legacy = aPoint({
      name: 'otelcol_processor_accepted_spans',
      value: 700,
      attributes: { processor: 'memory_limiter' },
    });
    const current = aPoint({
      name: 'otelcol_processor_outgoing_items',
      value: 705,
      attributes: { processor: 'memory_limiter', 'otel.signal': 'traces' },
    });
    for (const points of [
      [legacy, current],
      [current, legacy],
    ]) {
      const result = translateSelfMetrics([aResource(points)]);
      assert.deepEqual(findSample(result.components, 'processor', 'memory_limiter', 'traces').counters, {
        outgoing: 705,
      });
    }
  });

  void test('v0.85 OpenCensus names with slashes are understood', () => {
    const result = translateSelfMetrics([
      aResource([
        aPoint({
          name: 'receiver/accepted_spans',
          value: 10,
          attributes: { receiver: 'jaeger', transport: 'grpc' },
        }),
      ]),
    ]);
    assert.deepEqual(findSample(result.components, 'receiver', 'jaeger', 'traces').counters, {
      accepted: 10,
    });
  });
});

void describe('translateSelfMetrics: Grafana Alloy push', () => {
  // What otelcol.receiver.prometheus makes of prometheus.exporter.self: `_total`, labels as
  // attributes, no start time (Alloy ≥ 1.14), host name as service.instance.id.
  const alloyAttributes = (
    componentId: string,
    extra: Record<string, string> = {},
  ): Record<string, string> => ({
    component_id: componentId,
    component_path: '/remotecfg',
    otel_scope_name: 'go.opentelemetry.io/collector/receiver/receiverhelper',
    ...extra,
  });
  const result = translateSelfMetrics([
    aResource(
      [
        aPoint({
          name: 'otelcol_receiver_accepted_spans_total',
          startTimeUnixMs: 0,
          value: 640,
          attributes: alloyAttributes('otelcol.receiver.otlp.default', {
            receiver: 'otlp/otelcol.receiver.otlp.default',
            transport: 'grpc',
          }),
        }),
        aPoint({
          name: 'otelcol_processor_outgoing_items_total',
          startTimeUnixMs: 0,
          value: 630,
          attributes: alloyAttributes('otelcol.processor.batch.default', {
            processor: 'batch/otelcol.processor.batch.default',
            otel_signal: 'traces',
          }),
        }),
        aPoint({
          name: 'otelcol_exporter_sent_spans_total',
          startTimeUnixMs: 0,
          value: 620,
          attributes: alloyAttributes('otelcol.exporter.otlphttp.tempo', {
            exporter: 'otlphttp/otelcol.exporter.otlphttp.tempo',
          }),
        }),
        aGauge({
          name: 'otelcol_exporter_queue_size',
          value: 4,
          attributes: alloyAttributes('otelcol.exporter.otlphttp.tempo', {
            exporter: 'otlphttp/otelcol.exporter.otlphttp.tempo',
            data_type: 'traces',
          }),
        }),
        aGauge({ name: 'alloy_resources_process_start_time_seconds', value: (T0_UNIX_MS - 120_000) / 1000 }),
        aGauge({ name: 'alloy_resources_process_resident_memory_bytes', value: 256 * MiB }),
        aPoint({ name: 'alloy_resources_process_cpu_seconds_total', startTimeUnixMs: 0, value: 12.25 }),
        aPoint({ name: 'alloy_resources_machine_rx_bytes_total', startTimeUnixMs: 0, value: 1e9 }),
        aGauge({ name: 'alloy_build_info', value: 1 }),
      ],
      { 'service.name': 'integrations/self', 'service.instance.id': 'edge-01' },
    ),
  ]);

  void test('keys components by component_id rather than the upstream type/name attribute', () => {
    assert.deepEqual(
      result.components.map((c) => [c.kind, c.componentId, c.signal]),
      [
        ['exporter', 'otelcol.exporter.otlphttp.tempo', 'traces'],
        ['processor', 'otelcol.processor.batch.default', 'traces'],
        ['receiver', 'otelcol.receiver.otlp.default', 'traces'],
      ],
    );
  });

  void test('keeps start time 0 when Alloy sent none and merges the queue gauge into the exporter sample', () => {
    const exporter = findSample(result.components, 'exporter', 'otelcol.exporter.otlphttp.tempo', 'traces');
    assert.equal(exporter.startTimeUnixMs, 0);
    assert.deepEqual(exporter.counters, { sent: 620, queueSize: 4 });
  });

  void test('derives uptime from the process start time and takes memory and CPU seconds from alloy_resources_*', () => {
    assert.deepEqual(result.host, {
      memoryMb: 256,
      uptimeSeconds: 120,
      processStartTimeUnixMs: T0_UNIX_MS - 120_000,
      cpuSecondsTotal: 12.25,
      timeUnixMs: T0_UNIX_MS,
    });
    assert.deepEqual(result.serviceInstanceIds, ['edge-01']);
    assert.equal(result.ignored.unknownName, 2);
  });
});
