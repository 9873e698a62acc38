/**
 * Hand-written decoder for OTLP `ExportMetricsServiceRequest` protobuf bodies (opentelemetry-proto
 * v1.x), reduced to what self-telemetry needs: Sum and Gauge number data points of wanted metrics.
 * Everything else (scopes, histograms, summaries, exemplars, unwanted metrics) is skipped by
 * length without being decoded.
 *
 * The message structure has a fixed depth, so it is walked with one method per message and no
 * recursion; only attribute values recurse (bounded, see otlp-protobuf.attributes.ts).
 */
import type { DecodedMetrics, MetricPoint, ResourcePoints } from '../../domain/telemetry/metric-point.ts';
import { decodeLimits, FLAG_NO_RECORDED_VALUE, PointTally } from './otlp-decode.common.ts';
import type { DecodeOptions } from './otlp-decode.common.ts';
import { readKeyValueInto } from './otlp-protobuf.attributes.ts';
import { fieldWireTypes, ProtoCursor, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './otlp-protobuf.wire.ts';
import type { FieldWireTypes } from './otlp-protobuf.wire.ts';

export { OtlpDecodeError } from './otlp-decode.common.ts';
export type { DecodeOptions } from './otlp-decode.common.ts';

// Declared fields per message (see opentelemetry-proto metrics.proto / resource.proto).
const REQUEST_FIELDS = fieldWireTypes([[1, WIRE_LEN]]);
const RESOURCE_METRICS_FIELDS = fieldWireTypes([
  [1, WIRE_LEN],
  [2, WIRE_LEN],
  [3, WIRE_LEN],
]);
const RESOURCE_FIELDS = fieldWireTypes([
  [1, WIRE_LEN],
  [2, WIRE_VARINT],
  [3, WIRE_LEN],
]);
const SCOPE_METRICS_FIELDS = RESOURCE_METRICS_FIELDS;
const METRIC_FIELDS = fieldWireTypes([
  [1, WIRE_LEN],
  [2, WIRE_LEN],
  [3, WIRE_LEN],
  [5, WIRE_LEN],
  [7, WIRE_LEN],
  [9, WIRE_LEN],
  [10, WIRE_LEN],
  [11, WIRE_LEN],
  [12, WIRE_LEN],
]);
/** Gauge and Summary: data_points (1) only. */
const GAUGE_FIELDS = fieldWireTypes([[1, WIRE_LEN]]);
/** Sum: data_points (1), aggregation_temporality (2), is_monotonic (3). */
const SUM_FIELDS = fieldWireTypes([
  [1, WIRE_LEN],
  [2, WIRE_VARINT],
  [3, WIRE_VARINT],
]);
/** Histogram and ExponentialHistogram: data_points (1), aggregation_temporality (2). */
const HISTOGRAM_FIELDS = fieldWireTypes([
  [1, WIRE_LEN],
  [2, WIRE_VARINT],
]);
/** NumberDataPoint; field 1 is reserved (the pre-1.0 `labels`) and skipped as unknown. */
const NUMBER_POINT_FIELDS = fieldWireTypes([
  [2, WIRE_I64],
  [3, WIRE_I64],
  [4, WIRE_I64],
  [5, WIRE_LEN],
  [6, WIRE_I64],
  [7, WIRE_LEN],
  [8, WIRE_VARINT],
]);

// Whole tags (field << 3 | wire type) the decoder acts on.
const TAG_RESOURCE_METRICS = 0x0a;
const TAG_RESOURCE = 0x0a;
const TAG_SCOPE_METRICS = 0x12;
const TAG_RESOURCE_ATTRIBUTE = 0x0a;
const TAG_METRIC = 0x12;
const TAG_METRIC_NAME = 0x0a;
const TAG_GAUGE = 0x2a;
const TAG_SUM = 0x3a;
const TAG_HISTOGRAM = 0x4a;
const TAG_EXPONENTIAL_HISTOGRAM = 0x52;
const TAG_SUMMARY = 0x5a;
const TAG_DATA_POINT = 0x0a;
const TAG_AGGREGATION_TEMPORALITY = 0x10;
const TAG_IS_MONOTONIC = 0x18;
const TAG_START_TIME = 0x11;
const TAG_TIME = 0x19;
const TAG_AS_DOUBLE = 0x21;
const TAG_AS_INT = 0x31;
const TAG_POINT_ATTRIBUTE = 0x3a;
const TAG_FLAGS = 0x40;

/**
 * Decodes an OTLP/HTTP protobuf metrics request.
 *
 * `ignoredPointCount` counts the data points (not metrics) of everything skipped unread: Sum/Gauge
 * metrics whose name is not wanted, and every histogram, exponential histogram and summary. The
 * count is cheap: only the top-level fields of the skipped data message are walked.
 *
 * @throws OtlpDecodeError for malformed wire data, invalid UTF-8, over-deep attribute values, or
 *   more than `maxPoints` data points of wanted metrics.
 */
export function decodeMetricsProtobuf(body: Uint8Array, options: DecodeOptions): DecodedMetrics {
  return new MetricsRequestDecoder(body, options).decode();
}

class MetricsRequestDecoder {
  private readonly c: ProtoCursor;
  private readonly tally: PointTally;
  private readonly maxDepth: number;
  private readonly resources: ResourcePoints[] = [];

  constructor(
    body: Uint8Array,
    private readonly options: DecodeOptions,
  ) {
    const limits = decodeLimits(options);
    this.c = new ProtoCursor(body);
    this.tally = new PointTally(limits.maxPoints);
    this.maxDepth = limits.maxAttributeDepth;
  }

  decode(): DecodedMetrics {
    const c = this.c;
    const end = c.buf.length;
    while (c.pos < end) {
      const tag = c.tag(end, 'ExportMetricsServiceRequest');
      if (tag === TAG_RESOURCE_METRICS) {
        const len = c.length(end, 'ExportMetricsServiceRequest.resource_metrics');
        this.resourceMetrics(c.pos + len);
      } else {
        c.skipField(tag, end, 'ExportMetricsServiceRequest', REQUEST_FIELDS);
      }
    }
    const { ignoredPointCount, rejectedPointCount, rejectionMessages } = this.tally;
    return { resources: this.resources, ignoredPointCount, rejectedPointCount, rejectionMessages };
  }

  private resourceMetrics(end: number): void {
    const c = this.c;
    const resourceAttributes: Record<string, string> = {};
    const points: MetricPoint[] = [];
    while (c.pos < end) {
      const tag = c.tag(end, 'ResourceMetrics');
      if (tag === TAG_RESOURCE) {
        const len = c.length(end, 'ResourceMetrics.resource');
        this.resource(c.pos + len, resourceAttributes);
      } else if (tag === TAG_SCOPE_METRICS) {
        const len = c.length(end, 'ResourceMetrics.scope_metrics');
        this.scopeMetrics(c.pos + len, points);
      } else {
        c.skipField(tag, end, 'ResourceMetrics', RESOURCE_METRICS_FIELDS);
      }
    }
    this.resources.push({ resourceAttributes, points });
  }

  /** A repeated `resource` field merges, as in protobuf: attributes accumulate. */
  private resource(end: number, attributes: Record<string, string>): void {
    const c = this.c;
    while (c.pos < end) {
      const tag = c.tag(end, 'Resource');
      if (tag === TAG_RESOURCE_ATTRIBUTE) {
        const len = c.length(end, 'Resource.attributes');
        readKeyValueInto(c, c.pos + len, attributes, this.maxDepth);
      } else {
        c.skipField(tag, end, 'Resource', RESOURCE_FIELDS);
      }
    }
  }

  /** The instrumentation scope (field 1) is not needed and skipped by length. */
  private scopeMetrics(end: number, points: MetricPoint[]): void {
    const c = this.c;
    while (c.pos < end) {
      const tag = c.tag(end, 'ScopeMetrics');
      if (tag === TAG_METRIC) {
        const len = c.length(end, 'ScopeMetrics.metrics');
        this.metric(c.pos + len, points);
      } else {
        c.skipField(tag, end, 'ScopeMetrics', SCOPE_METRICS_FIELDS);
      }
    }
  }

  /**
   * Field order on the wire is free (the name may follow the data), so the metric is scanned
   * once to locate the name and the data oneof (last member wins), then the data is either
   * decoded or only counted.
   */
  private metric(end: number, points: MetricPoint[]): void {
    const c = this.c;
    let nameStart = -1;
    let nameEnd = -1;
    let dataTag = 0;
    let dataStart = 0;
    let dataEnd = 0;
    while (c.pos < end) {
      const tag = c.tag(end, 'Metric');
      switch (tag) {
        case TAG_METRIC_NAME: {
          const len = c.length(end, 'Metric.name');
          nameStart = c.pos;
          nameEnd = c.pos += len;
          break;
        }
        case TAG_GAUGE:
        case TAG_SUM:
        case TAG_HISTOGRAM:
        case TAG_EXPONENTIAL_HISTOGRAM:
        case TAG_SUMMARY: {
          const len = c.length(end, 'Metric.data');
          dataTag = tag;
          dataStart = c.pos;
          dataEnd = c.pos += len;
          break;
        }
        default:
          c.skipField(tag, end, 'Metric', METRIC_FIELDS);
      }
    }
    if (dataTag === 0) return;
    c.pos = dataStart;
    if (dataTag === TAG_GAUGE || dataTag === TAG_SUM) {
      const name = nameStart < 0 ? '' : c.string(nameStart, nameEnd, 'Metric.name');
      if (!this.options.wants(name)) {
        this.tally.ignoredPointCount += this.countPoints(dataEnd, dataTag);
      } else if (dataTag === TAG_SUM) {
        this.sum(dataEnd, name, points);
      } else {
        this.gauge(dataEnd, name, points);
      }
    } else {
      this.tally.ignoredPointCount += this.countPoints(dataEnd, dataTag);
    }
    c.pos = end;
  }

  /** Counts the data_points entries of a data message that is not decoded. */
  private countPoints(end: number, dataTag: number): number {
    const c = this.c;
    const [message, fields] = skippedDataMessage(dataTag);
    let count = 0;
    while (c.pos < end) {
      const tag = c.tag(end, message);
      if (tag === TAG_DATA_POINT) count += 1;
      c.skipField(tag, end, message, fields);
    }
    return count;
  }

  private gauge(end: number, name: string, points: MetricPoint[]): void {
    const c = this.c;
    while (c.pos < end) {
      const tag = c.tag(end, 'Gauge');
      if (tag === TAG_DATA_POINT) {
        const len = c.length(end, 'Gauge.data_points');
        this.numberPoint(c.pos + len, name, 'gauge', false, 0, points);
      } else {
        c.skipField(tag, end, 'Gauge', GAUGE_FIELDS);
      }
    }
  }

  /**
   * Encoders put data_points (field 1) before aggregation_temporality and is_monotonic, so a
   * first pass reads those two and a second decodes the points.
   */
  private sum(end: number, name: string, points: MetricPoint[]): void {
    const c = this.c;
    const start = c.pos;
    let temporality: 0 | 1 | 2 = 0;
    let monotonic = false;
    while (c.pos < end) {
      const tag = c.tag(end, 'Sum');
      if (tag === TAG_AGGREGATION_TEMPORALITY) {
        const value = c.varint(end, 'Sum.aggregation_temporality');
        // Unknown enum values (open proto3 enums) are treated as UNSPECIFIED.
        temporality = c.hi === 0 && (value === 1 || value === 2) ? value : 0;
      } else if (tag === TAG_IS_MONOTONIC) {
        monotonic = (c.varint(end, 'Sum.is_monotonic') | c.hi) !== 0;
      } else {
        c.skipField(tag, end, 'Sum', SUM_FIELDS);
      }
    }
    c.pos = start;
    while (c.pos < end) {
      const tag = c.tag(end, 'Sum');
      if (tag === TAG_DATA_POINT) {
        const len = c.length(end, 'Sum.data_points');
        this.numberPoint(c.pos + len, name, 'sum', monotonic, temporality, points);
      } else {
        c.skipField(tag, end, 'Sum', SUM_FIELDS);
      }
    }
  }

  private numberPoint(
    end: number,
    name: string,
    kind: 'sum' | 'gauge',
    monotonic: boolean,
    temporality: 0 | 1 | 2,
    points: MetricPoint[],
  ): void {
    const c = this.c;
    this.tally.countExamined();
    const attributes: Record<string, string> = {};
    let startTimeUnixMs = 0;
    let timeUnixMs = 0;
    let value = 0;
    let hasValue = false;
    let flags = 0;
    while (c.pos < end) {
      const tag = c.tag(end, 'NumberDataPoint');
      switch (tag) {
        case TAG_START_TIME:
          startTimeUnixMs = c.fixed64NanosToMillis(end, 'NumberDataPoint.start_time_unix_nano');
          break;
        case TAG_TIME:
          timeUnixMs = c.fixed64NanosToMillis(end, 'NumberDataPoint.time_unix_nano');
          break;
        case TAG_AS_DOUBLE:
          value = c.double(end, 'NumberDataPoint.as_double');
          hasValue = true;
          break;
        case TAG_AS_INT:
          value = c.sfixed64(end, 'NumberDataPoint.as_int');
          hasValue = true;
          break;
        case TAG_POINT_ATTRIBUTE: {
          const len = c.length(end, 'NumberDataPoint.attributes');
          readKeyValueInto(c, c.pos + len, attributes, this.maxDepth);
          break;
        }
        case TAG_FLAGS:
          flags = c.varint(end, 'NumberDataPoint.flags');
          break;
        default:
          c.skipField(tag, end, 'NumberDataPoint', NUMBER_POINT_FIELDS);
      }
    }
    // A point without a value, or flagged as a gap, carries nothing to record: skipped, not rejected.
    if (!hasValue || (flags & FLAG_NO_RECORDED_VALUE) !== 0) return;
    const reason = PointTally.rejectionReason(timeUnixMs, value);
    if (reason !== undefined) {
      this.tally.reject(name, reason);
      return;
    }
    points.push({ name, kind, monotonic, temporality, startTimeUnixMs, timeUnixMs, value, attributes });
  }
}

// Message name and declared fields of each data message when it is only counted.
const SKIPPED_GAUGE = ['Gauge', GAUGE_FIELDS] as const;
const SKIPPED_SUM = ['Sum', SUM_FIELDS] as const;
const SKIPPED_SUMMARY = ['Summary', GAUGE_FIELDS] as const;
const SKIPPED_HISTOGRAM = ['Histogram', HISTOGRAM_FIELDS] as const;
const SKIPPED_EXPONENTIAL_HISTOGRAM = ['ExponentialHistogram', HISTOGRAM_FIELDS] as const;

function skippedDataMessage(dataTag: number): readonly [string, FieldWireTypes] {
  switch (dataTag) {
    case TAG_GAUGE:
      return SKIPPED_GAUGE;
    case TAG_SUM:
      return SKIPPED_SUM;
    case TAG_SUMMARY:
      return SKIPPED_SUMMARY;
    case TAG_EXPONENTIAL_HISTOGRAM:
      return SKIPPED_EXPONENTIAL_HISTOGRAM;
    default:
      return SKIPPED_HISTOGRAM;
  }
}
