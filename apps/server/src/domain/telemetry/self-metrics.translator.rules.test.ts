import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PROCESS_START_UNIX_MS, T0_UNIX_MS, aGauge, aPoint, aResource } from './metric-point.fixtures.ts';
import { translateSelfMetrics } from './self-metrics.translator.ts';

const MiB = 1024 * 1024;

void describe('translateSelfMetrics: points it cannot use', () => {
  void test('skips delta-temporality sums and counts them, because rows hold cumulative counters', () => {
    const result = translateSelfMetrics([
      aResource([
        aPoint({
          name: 'otelcol_receiver_accepted_spans',
          temporality: 1,
          value: 10,
          attributes: { receiver: 'otlp' },
        }),
        aPoint({ name: 'otelcol_process_cpu_seconds', temporality: 1, value: 0.5 }),
        aPoint({
          name: 'otelcol_exporter_sent_spans',
          temporality: 2,
          value: 10,
          attributes: { exporter: 'debug' },
        }),
      ]),
    ]);
    assert.deepEqual(result.ignored, { unknownName: 0, deltaTemporality: 2, missingComponentId: 0 });
    assert.equal(result.components.length, 1);
    assert.equal(result.host, undefined);
  });

  void test('skips component metrics without a component id and counts them', () => {
    const result = translateSelfMetrics([
      aResource([
        aPoint({
          name: 'otelcol_receiver_accepted_spans',
          value: 10,
          attributes: { transport: 'grpc', receiver: '' },
        }),
      ]),
    ]);
    assert.deepEqual(result.components, []);
    assert.deepEqual(result.ignored, { unknownName: 0, deltaTemporality: 0, missingComponentId: 1 });
  });

  void test('puts an unrecognised signal attribute value under the empty signal', () => {
    const result = translateSelfMetrics([
      aResource([
        aPoint({
          name: 'otelcol_processor_incoming_items',
          value: 1,
          attributes: { processor: 'batch', 'otel.signal': 'entities' },
        }),
      ]),
    ]);
    assert.equal(result.components[0]?.signal, '');
  });

  void test('returns an empty translation for an empty push', () => {
    assert.deepEqual(translateSelfMetrics([]), {
      components: [],
      host: undefined,
      serviceInstanceIds: [],
      ignored: { unknownName: 0, deltaTemporality: 0, missingComponentId: 0 },
      ignoredPointCount: 0,
    });
  });
});

void describe('translateSelfMetrics: grouping and start times', () => {
  void test('splits two collections of one series within one push into two samples', () => {
    const result = translateSelfMetrics([
      aResource([
        aPoint({ name: 'otelcol_exporter_sent_log_records', value: 100, attributes: { exporter: 'loki' } }),
        aPoint({
          name: 'otelcol_exporter_sent_log_records',
          value: 160,
          timeUnixMs: T0_UNIX_MS + 60_000,
          attributes: { exporter: 'loki' },
        }),
      ]),
    ]);
    assert.deepEqual(
      result.components.map((c) => [c.timeUnixMs, c.counters.sent]),
      [
        [T0_UNIX_MS, 100],
        [T0_UNIX_MS + 60_000, 160],
      ],
    );
  });

  void test('takes the earliest non-zero counter start, ignoring gauges and senders that set none', () => {
    const result = translateSelfMetrics([
      aResource([
        aPoint({
          name: 'otelcol_exporter_sent_spans',
          startTimeUnixMs: PROCESS_START_UNIX_MS + 2,
          value: 5,
          attributes: { exporter: 'otlp' },
        }),
        aPoint({
          name: 'otelcol_exporter_send_failed_spans',
          startTimeUnixMs: 0,
          value: 0,
          attributes: { exporter: 'otlp' },
        }),
        aPoint({
          name: 'otelcol_exporter_enqueue_failed_spans',
          startTimeUnixMs: PROCESS_START_UNIX_MS + 1,
          value: 0,
          attributes: { exporter: 'otlp' },
        }),
        aGauge({
          name: 'otelcol_exporter_queue_size',
          startTimeUnixMs: 1,
          value: 0,
          attributes: { exporter: 'otlp', data_type: 'traces' },
        }),
      ]),
    ]);
    assert.equal(result.components[0]?.startTimeUnixMs, PROCESS_START_UNIX_MS + 1);
  });

  void test('groups the same component across resources of one push', () => {
    const result = translateSelfMetrics([
      aResource(
        [aPoint({ name: 'otelcol_receiver_accepted_spans', value: 1, attributes: { receiver: 'otlp' } })],
        { 'service.instance.id': 'a' },
      ),
      aResource(
        [aPoint({ name: 'otelcol_receiver_accepted_spans', value: 2, attributes: { receiver: 'otlp' } })],
        { 'service.instance.id': 'a' },
      ),
    ]);
    assert.deepEqual(
      result.components.map((c) => c.counters),
      [{ accepted: 3 }],
    );
    assert.deepEqual(result.serviceInstanceIds, ['a']);
  });
});

void describe('translateSelfMetrics: host metrics from a host-metrics receiver', () => {
  void test('derives host CPU, host memory, process CPU and process memory from utilisation ratios', () => {
    const cpu = (n: string, state: string, value: number) =>
      aGauge({ name: 'system.cpu.utilization', value, attributes: { cpu: n, state } });
    const result = translateSelfMetrics([
      aResource([
        cpu('cpu0', 'idle', 0.8),
        cpu('cpu0', 'user', 0.15),
        cpu('cpu0', 'system', 0.05),
        cpu('cpu1', 'idle', 0.4),
        cpu('cpu1', 'user', 0.5),
        cpu('cpu1', 'system', 0.1),
        aGauge({ name: 'system.memory.utilization', value: 0.25, attributes: { state: 'free' } }),
        aGauge({ name: 'system.memory.utilization', value: 0.62, attributes: { state: 'used' } }),
        aGauge({ name: 'system.memory.utilization', value: 0.13, attributes: { state: 'cached' } }),
        aGauge({ name: 'process.cpu.utilization', value: 0.02, attributes: { state: 'user' } }),
        aGauge({ name: 'process.cpu.utilization', value: 0.01, attributes: { state: 'system' } }),
        aPoint({ name: 'process.memory.usage', kind: 'sum', monotonic: false, value: 64 * MiB }),
        aGauge({ name: 'process.uptime', value: 90, timeUnixMs: T0_UNIX_MS + 5 }),
      ]),
    ]);
    const host = result.host;
    assert.ok(host);
    assert.ok(Math.abs((host.hostCpuPercent ?? NaN) - 40) < 1e-9, `hostCpuPercent ${host.hostCpuPercent}`);
    assert.ok(Math.abs((host.hostMemoryPercent ?? NaN) - 62) < 1e-9);
    assert.ok(Math.abs((host.cpuPercent ?? NaN) - 3) < 1e-9);
    assert.equal(host.memoryMb, 64);
    assert.equal(host.uptimeSeconds, 90);
    assert.equal(host.timeUnixMs, T0_UNIX_MS + 5);
  });
});
