import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { DecodedMetrics, MetricPoint } from '../../domain/telemetry/metric-point.ts';
import { decodeMetricsProtobuf } from './otlp-protobuf.decoder.ts';
import {
  collectorSelfTelemetry,
  encodeOtlpProtobuf,
  expectedResourcePoints,
} from './testing/collector-telemetry.fixture.ts';
const everything = { wants: (): boolean => true };

function onlyPoints(decoded: DecodedMetrics): readonly MetricPoint[] {
  assert.equal(decoded.resources.length, 1);
  return decoded.resources[0]!.points;
}

function find(
  points: readonly MetricPoint[],
  name: string,
  attributes: Record<string, string> = {},
): MetricPoint {
  const found = points.find(
    (point) =>
      point.name === name &&
      Object.entries(attributes).every(([key, value]) => point.attributes[key] === value),
  );
  assert.ok(found, `no point ${name} ${JSON.stringify(attributes)}`);
  return found;
}

void describe('decodeMetricsProtobuf on requests from the real OTLP encoder', () => {
  void it('decodes every Sum and Gauge point of collector self-telemetry exactly', () => {
    const resourceMetrics = collectorSelfTelemetry();
    const decoded = decodeMetricsProtobuf(encodeOtlpProtobuf(resourceMetrics), everything);
    const expected = expectedResourcePoints(resourceMetrics);
    assert.deepEqual(decoded.resources, [expected.resource]);
    assert.ok(expected.resource.points.length >= 110, 'fixture should be realistic in size');
    assert.equal(decoded.ignoredPointCount, 2, 'the two histogram points are ignored');
    assert.equal(decoded.rejectedPointCount, 0);
    assert.deepEqual(decoded.rejectionMessages, []);
  });

  void it('decodes a receiver counter and the exporter queue gauge with their attributes and times', () => {
    const points = onlyPoints(
      decodeMetricsProtobuf(
        encodeOtlpProtobuf(
          collectorSelfTelemetry({ startTime: [1_767_225_600, 5_999_999], endTime: [1_767_229_200, 0] }),
        ),
        everything,
      ),
    );
    const accepted = find(points, 'otelcol_receiver_accepted_spans', { receiver: 'otlp', transport: 'grpc' });
    assert.deepEqual(
      { ...accepted, value: typeof accepted.value },
      {
        name: 'otelcol_receiver_accepted_spans',
        kind: 'sum',
        monotonic: true,
        temporality: 2,
        startTimeUnixMs: 1_767_225_600_005,
        timeUnixMs: 1_767_229_200_000,
        value: 'number',
        attributes: { receiver: 'otlp', transport: 'grpc' },
      },
    );
    const queue = find(points, 'otelcol_exporter_queue_size', {
      exporter: 'otlphttp/backend',
      data_type: 'logs',
    });
    assert.equal(queue.kind, 'gauge');
    assert.equal(queue.monotonic, false);
    assert.equal(queue.temporality, 0);
    const inFlight = find(points, 'otelcol_exporter_in_flight_requests');
    assert.equal(inFlight.monotonic, false, 'an UpDownCounter is a non-monotonic sum');
    assert.equal(find(points, 'otelcol_process_runtime_total_alloc_bytes').value, 9_876_543_210);
    assert.equal(find(points, 'otelcol_process_uptime').value, 3_600.25);
  });

  void it('skips unwanted metrics unread and counts their points as ignored', () => {
    const resourceMetrics = collectorSelfTelemetry();
    const wanted: string[] = [];
    const wants = (name: string): boolean => {
      wanted.push(name);
      return name.startsWith('otelcol_receiver_');
    };
    const decoded = decodeMetricsProtobuf(encodeOtlpProtobuf(resourceMetrics), { wants });
    const expected = expectedResourcePoints(resourceMetrics, (name) => name.startsWith('otelcol_receiver_'));
    assert.deepEqual(decoded.resources, [expected.resource]);
    assert.equal(decoded.ignoredPointCount, expected.ignoredPointCount);
    assert.equal(new Set(wanted).size, wanted.length, 'wants() is asked once per metric');
    assert.ok(!wanted.includes('otelcol_processor_batch_batch_send_size'), 'histograms are not offered');
  });

  void it('renders int, negative int, big int, double, bool and array attribute values as text', () => {
    const resourceMetrics = collectorSelfTelemetry();
    const attributes = {
      'k.int': 42,
      'k.negative': -7,
      'k.very.negative': -(2 ** 62),
      'k.big': 2 ** 60,
      'k.double': 1.5,
      'k.bool': true,
      'k.strings': ['a', 'b'],
      'k.numbers': [1, 2.5],
    };
    const withAttributes: ResourceMetrics = {
      resource: resourceFromAttributes(attributes),
      scopeMetrics: resourceMetrics.scopeMetrics.slice(0, 1),
    };
    const decoded = decodeMetricsProtobuf(encodeOtlpProtobuf(withAttributes), everything);
    assert.deepEqual(decoded.resources[0]?.resourceAttributes, {
      'k.int': '42',
      'k.negative': '-7',
      'k.very.negative': '-4611686018427387904',
      'k.big': '1152921504606846976',
      'k.double': '1.5',
      'k.bool': 'true',
      'k.strings': '["a","b"]',
      'k.numbers': '[1,2.5]',
    });
  });

  void it('decodes what the real SDK pipeline collects from a counter and an observable gauge', async () => {
    class CollectingReader extends MetricReader {
      protected override onShutdown(): Promise<void> {
        return Promise.resolve();
      }
      protected override onForceFlush(): Promise<void> {
        return Promise.resolve();
      }
    }
    const reader = new CollectingReader();
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'otelcol-contrib', 'host.name': 'gw-7' }),
      readers: [reader],
    });
    const meter = provider.getMeter('go.opentelemetry.io/collector/receiver/receiverhelper');
    const accepted = meter.createCounter('otelcol_receiver_accepted_spans', { unit: '{span}' });
    accepted.add(40, { receiver: 'otlp', transport: 'grpc' });
    accepted.add(2, { receiver: 'otlp', transport: 'grpc' });
    accepted.add(5, { receiver: 'otlp', transport: 'http' });
    meter
      .createObservableGauge('otelcol_exporter_queue_size', { unit: '{batch}' })
      .addCallback((result) => result.observe(3, { exporter: 'otlphttp/backend', data_type: 'traces' }));
    const before = Date.now();
    const { resourceMetrics, errors } = await reader.collect();
    const after = Date.now();
    await provider.shutdown();
    assert.deepEqual(errors, []);

    const decoded = decodeMetricsProtobuf(encodeOtlpProtobuf(resourceMetrics), everything);
    const resource = decoded.resources[0];
    assert.equal(resource?.resourceAttributes['service.name'], 'otelcol-contrib');
    assert.equal(resource.resourceAttributes['host.name'], 'gw-7');
    const points = onlyPoints(decoded);
    assert.equal(find(points, 'otelcol_receiver_accepted_spans', { transport: 'grpc' }).value, 42);
    assert.equal(find(points, 'otelcol_receiver_accepted_spans', { transport: 'http' }).value, 5);
    const queue = find(points, 'otelcol_exporter_queue_size');
    assert.deepEqual([queue.kind, queue.value], ['gauge', 3]);
    for (const point of points) {
      assert.ok(point.timeUnixMs >= before - 1 && point.timeUnixMs <= after, `time ${point.timeUnixMs}`);
    }
  });
});
