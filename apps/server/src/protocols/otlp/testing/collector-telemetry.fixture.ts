/**
 * A collector's own telemetry as `@opentelemetry/sdk-metrics` hands it to an OTLP exporter
 * (`ResourceMetrics`), for encoding with the real `@opentelemetry/otlp-transformer` serializers.
 * Names, attributes and scopes follow otelcol-contrib's internal metrics (reference §4.1/4.2).
 * Used by the decoder tests and by bench/otlp-decode.bench.ts.
 */
import { ValueType } from '@opentelemetry/api';
import type { Attributes, HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import type {
  DataPoint,
  MetricData,
  ResourceMetrics,
  ScopeMetrics,
  SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { JsonMetricsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import type { MetricPoint, ResourcePoints } from '../../../domain/telemetry/metric-point.ts';

export interface CollectorFixtureOptions {
  readonly instanceId?: string;
  readonly hostName?: string;
  /** Process start (start_time_unix_nano of every cumulative point). */
  readonly startTime?: HrTime;
  /** Collection time (time_unix_nano of every point). */
  readonly endTime?: HrTime;
  /** Shifts every value, so successive payloads differ. */
  readonly tick?: number;
}

const SIGNALS = [
  { suffix: 'spans', dataType: 'traces' },
  { suffix: 'metric_points', dataType: 'metrics' },
  { suffix: 'log_records', dataType: 'logs' },
] as const;

const RECEIVERS: readonly Attributes[] = [
  { receiver: 'otlp', transport: 'grpc' },
  { receiver: 'otlp', transport: 'http' },
  { receiver: 'otlp/edge', transport: 'grpc' },
  { receiver: 'filelog', transport: '' },
];
const PROCESSORS = ['memory_limiter', 'batch', 'attributes/env'] as const;
const EXPORTERS = ['otlphttp/backend', 'debug'] as const;
const SCRAPERS = ['cpu', 'memory', 'disk', 'filesystem', 'network'] as const;

/**
 * One ResourceMetrics with ~120 Sum/Gauge number points (plus one histogram) spread over the
 * receiverhelper, processorhelper, exporterhelper, batch processor, memory limiter, scraperhelper
 * and service scopes.
 */
export function collectorSelfTelemetry(options: CollectorFixtureOptions = {}): ResourceMetrics {
  const startTime = options.startTime ?? [1_767_225_600, 250_000_000];
  const endTime = options.endTime ?? [1_767_229_200, 987_654_321];
  const tick = options.tick ?? 0;
  let serial = 0;
  /** Distinct, deterministic values per point. */
  const next = (scale = 1): number => (++serial * 1_009 + tick * 17) * scale;
  const point = (attributes: Attributes, value: number): DataPoint<number> => ({
    startTime,
    endTime,
    attributes,
    value,
  });

  const receiverMetrics: MetricData[] = [];
  for (const outcome of ['accepted', 'refused', 'failed']) {
    for (const signal of SIGNALS) {
      receiverMetrics.push(
        counter(
          `otelcol_receiver_${outcome}_${signal.suffix}`,
          `{${signal.suffix}}`,
          RECEIVERS.map((attributes) => point(attributes, outcome === 'accepted' ? next(1000) : next() % 7)),
        ),
      );
    }
  }

  const processorMetrics: MetricData[] = ['incoming', 'outgoing'].map((direction) =>
    counter(
      `otelcol_processor_${direction}_items`,
      '{item}',
      PROCESSORS.flatMap((processor) =>
        SIGNALS.map((signal) => point({ processor, 'otel.signal': signal.dataType }, next(100))),
      ),
    ),
  );

  const exporterMetrics: MetricData[] = [];
  for (const outcome of ['sent', 'send_failed', 'enqueue_failed']) {
    for (const signal of SIGNALS) {
      exporterMetrics.push(
        counter(
          `otelcol_exporter_${outcome}_${signal.suffix}`,
          `{${signal.suffix}}`,
          EXPORTERS.map((exporter) => point({ exporter }, outcome === 'sent' ? next(1000) : next() % 5)),
        ),
      );
    }
  }
  for (const name of ['otelcol_exporter_queue_size', 'otelcol_exporter_queue_capacity']) {
    exporterMetrics.push(
      gauge(
        name,
        '{batch}',
        EXPORTERS.flatMap((exporter) =>
          SIGNALS.map((signal) =>
            point({ exporter, data_type: signal.dataType }, name.endsWith('capacity') ? 1000 : next() % 1000),
          ),
        ),
      ),
    );
  }
  exporterMetrics.push(
    upDownCounter(
      'otelcol_exporter_in_flight_requests',
      '{request}',
      EXPORTERS.flatMap((exporter) =>
        SIGNALS.map((signal) => point({ exporter, data_type: signal.dataType }, next() % 3)),
      ),
    ),
  );

  const batchMetrics: MetricData[] = [
    counter('otelcol_processor_batch_timeout_trigger_send', '{send}', [
      point({ processor: 'batch' }, next()),
    ]),
    counter('otelcol_processor_batch_batch_size_trigger_send', '{send}', [
      point({ processor: 'batch' }, next()),
    ]),
    gauge('otelcol_processor_batch_metadata_cardinality', '{combination}', [
      point({ processor: 'batch' }, 1),
    ]),
    histogram('otelcol_processor_batch_batch_send_size', '{item}', startTime, endTime),
  ];

  const memoryLimiterMetrics: MetricData[] = ['accepted', 'refused'].flatMap((outcome) =>
    SIGNALS.map((signal) =>
      counter(`otelcol_processor_memory_limiter_${outcome}_${signal.suffix}`, `{${signal.suffix}}`, [
        point({ processor: 'memory_limiter' }, next(10)),
      ]),
    ),
  );

  const scraperMetrics: MetricData[] = ['scraped', 'errored'].map((outcome) =>
    counter(
      `otelcol_scraper_${outcome}_metric_points`,
      '{datapoint}',
      SCRAPERS.map((scraper) => point({ receiver: 'hostmetrics', scraper }, next(10))),
    ),
  );

  const processMetrics: MetricData[] = [
    counter('otelcol_process_uptime', 's', [point({}, 3_600.25 + tick)], ValueType.DOUBLE),
    counter('otelcol_process_cpu_seconds', 's', [point({}, 12.5 + tick / 10)], ValueType.DOUBLE),
    gauge('otelcol_process_memory_rss', 'By', [point({}, 187_654_144 + tick)]),
    gauge('otelcol_process_runtime_heap_alloc_bytes', 'By', [point({}, 61_234_567 + tick)]),
    // Beyond 2^32, so the high word of as_int matters.
    counter('otelcol_process_runtime_total_alloc_bytes', 'By', [point({}, 9_876_543_210 + tick)]),
    gauge('otelcol_process_runtime_total_sys_memory_bytes', 'By', [point({}, 123_456_789 + tick)]),
  ];

  const scope = (name: string, metrics: MetricData[]): ScopeMetrics => ({
    scope: { name: `go.opentelemetry.io/collector/${name}`, version: '0.139.0' },
    metrics,
  });
  return {
    resource: resourceFromAttributes({
      'service.name': 'otelcol-contrib',
      'service.version': '0.139.0',
      'service.instance.id': options.instanceId ?? '0b8a3e6c-2f41-4c55-9d0e-6f1e2a7b9c31',
      'host.name': options.hostName ?? 'edge-gw-01.example.internal',
      'os.type': 'linux',
      'host.arch': 'amd64',
    }),
    scopeMetrics: [
      scope('receiver/receiverhelper', receiverMetrics),
      scope('processor/processorhelper', processorMetrics),
      scope('exporter/exporterhelper', exporterMetrics),
      scope('processor/batchprocessor', batchMetrics),
      scope('processor/memorylimiterprocessor', memoryLimiterMetrics),
      scope('scraper/scraperhelper', scraperMetrics),
      scope('service', processMetrics),
    ],
  };
}

function counter(
  name: string,
  unit: string,
  dataPoints: DataPoint<number>[],
  valueType: ValueType = ValueType.INT,
): SumMetricData {
  return {
    descriptor: { name, description: '', unit, valueType },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints,
  };
}

function upDownCounter(name: string, unit: string, dataPoints: DataPoint<number>[]): SumMetricData {
  return { ...counter(name, unit, dataPoints), isMonotonic: false };
}

function gauge(name: string, unit: string, dataPoints: DataPoint<number>[]): MetricData {
  return {
    descriptor: { name, description: '', unit, valueType: ValueType.INT },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints,
  };
}

function histogram(name: string, unit: string, startTime: HrTime, endTime: HrTime): MetricData {
  const value = {
    buckets: { boundaries: [10, 100, 1000], counts: [3, 5, 2, 0] },
    sum: 2_345,
    count: 10,
    min: 4,
    max: 900,
  };
  return {
    descriptor: { name, description: '', unit, valueType: ValueType.INT },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [
      { startTime, endTime, attributes: { processor: 'batch' }, value },
      { startTime, endTime, attributes: { processor: 'batch/2' }, value },
    ],
  };
}

// otlp-transformer depends on its own copy of sdk-metrics (2.12.0 next to the workspace's 2.12.1):
// identical shapes and enum values, but distinct enum declarations for the enum-safety lint.

/** Encodes with the real OTLP/HTTP protobuf serializer of the JS SDK exporters. */
export function encodeOtlpProtobuf(resourceMetrics: ResourceMetrics): Uint8Array {
  const bytes = ProtobufMetricsSerializer.serializeRequest(resourceMetrics);
  if (!bytes) throw new Error('otlp-transformer produced no protobuf body');
  return bytes;
}

/** Encodes with the real OTLP/HTTP JSON serializer of the JS SDK exporters. */
export function encodeOtlpJson(resourceMetrics: ResourceMetrics): string {
  const bytes = JsonMetricsSerializer.serializeRequest(resourceMetrics);
  if (!bytes) throw new Error('otlp-transformer produced no JSON body');
  return new TextDecoder().decode(bytes);
}

/** HrTime → whole Unix milliseconds, as the decoders truncate nanoseconds. */
export function hrTimeToMillis([seconds, nanos]: HrTime): number {
  return seconds * 1000 + Math.floor(nanos / 1_000_000);
}

/**
 * What a decoder must produce for `resourceMetrics`, derived from the SDK objects alone (not from
 * any encoding). Attribute values are rendered the way the decoders document it.
 */
export function expectedResourcePoints(
  resourceMetrics: ResourceMetrics,
  wants: (name: string) => boolean = () => true,
): { resource: ResourcePoints; ignoredPointCount: number } {
  const points: MetricPoint[] = [];
  let ignoredPointCount = 0;
  for (const { metrics } of resourceMetrics.scopeMetrics) {
    for (const metric of metrics) {
      const name = metric.descriptor.name;
      if (
        (metric.dataPointType !== DataPointType.SUM && metric.dataPointType !== DataPointType.GAUGE) ||
        !wants(name)
      ) {
        ignoredPointCount += metric.dataPoints.length;
        continue;
      }
      const isSum = metric.dataPointType === DataPointType.SUM;
      for (const dataPoint of metric.dataPoints) {
        points.push({
          name,
          kind: isSum ? 'sum' : 'gauge',
          monotonic: isSum && metric.isMonotonic,
          temporality: isSum ? (metric.aggregationTemporality === AggregationTemporality.DELTA ? 1 : 2) : 0,
          startTimeUnixMs: hrTimeToMillis(dataPoint.startTime),
          timeUnixMs: hrTimeToMillis(dataPoint.endTime),
          value: dataPoint.value,
          attributes: attributesAsText(dataPoint.attributes),
        });
      }
    }
  }
  return {
    resource: { resourceAttributes: attributesAsText(resourceMetrics.resource.attributes), points },
    ignoredPointCount,
  };
}

function attributesAsText(attributes: Attributes): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined) continue;
    text[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return text;
}
