/**
 * One decoded OTLP number data point, reduced to what self-telemetry translation needs.
 * Produced by the OTLP adapter (protocols/otlp) and consumed by the translator in this folder.
 *
 * Histograms, exponential histograms and summaries are skipped by the decoder: no collector
 * throughput metric uses them.
 */
export interface MetricPoint {
  /** Metric name exactly as received, e.g. `otelcol_receiver_accepted_spans_total`. */
  readonly name: string;
  /** `sum` for OTLP Sum, `gauge` for OTLP Gauge. */
  readonly kind: 'sum' | 'gauge';
  /** OTLP `is_monotonic` (always false for gauges). */
  readonly monotonic: boolean;
  /** OTLP aggregation temporality of a sum: 1 delta, 2 cumulative, 0 unspecified (gauges: 0). */
  readonly temporality: 0 | 1 | 2;
  /** Start of the cumulative series in Unix milliseconds; 0 when the sender did not set it. */
  readonly startTimeUnixMs: number;
  /** Sample time in Unix milliseconds. */
  readonly timeUnixMs: number;
  /** The value (`as_int` or `as_double`), always finite: the decoder rejects NaN and ±Infinity. */
  readonly value: number;
  /** Data-point attributes; non-string values are rendered as strings (`true`, `42`, `1.5`). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** The points of one OTLP `ResourceMetrics`, with its resource attributes (stringified). */
export interface ResourcePoints {
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly points: readonly MetricPoint[];
}

/** What one decoded export request yields. */
export interface DecodedMetrics {
  readonly resources: readonly ResourcePoints[];
  /**
   * Points skipped without decoding their values: metrics whose name was not wanted, and every
   * histogram, exponential-histogram and summary point.
   */
  readonly ignoredPointCount: number;
  /**
   * Points rejected as invalid (NaN, ±Inf, missing time). Points without a value or flagged
   * NO_RECORDED_VALUE are skipped silently instead: the OTLP data model allows them.
   */
  readonly rejectedPointCount: number;
  /** Human-readable reason for the first few rejections, for `partial_success.error_message`. */
  readonly rejectionMessages: readonly string[];
}
