/**
 * What the protobuf and JSON OTLP metrics decoders share: options, the error type the HTTP layer
 * maps to 400, and the bookkeeping of ignored / rejected / counted points.
 */

/** Options for one decode call (both encodings). */
export interface DecodeOptions {
  /**
   * Whether a Sum/Gauge metric of this name should be decoded. Called once per metric (not per
   * point); the data of an unwanted metric is skipped by length and its points are only counted.
   */
  wants(name: string): boolean;
  /**
   * Most Sum/Gauge number data points of wanted metrics one request may carry (default 200 000).
   * Skipped metrics do not count: their cost is bounded by the body-size limit alone.
   */
  maxPoints?: number;
  /**
   * Most AnyValue nesting levels in an attribute value (default 8). The attribute's own value is
   * level 1; every array/kvlist adds one. Deeper → OtlpDecodeError. At most 64, so a caller cannot
   * configure its way into a stack overflow.
   */
  maxAttributeDepth?: number;
}

export const DEFAULT_MAX_POINTS = 200_000;
export const DEFAULT_MAX_ATTRIBUTE_DEPTH = 8;
const MAX_ALLOWED_ATTRIBUTE_DEPTH = 64;

/** How many rejection reasons are kept for `partial_success.error_message`. */
export const MAX_REJECTION_MESSAGES = 5;

/** DataPointFlags.NO_RECORDED_VALUE: the point marks a gap (e.g. a stale series); its value is meaningless. */
export const FLAG_NO_RECORDED_VALUE = 0x1;

/** The request body is not a valid OTLP metrics export request (→ HTTP 400, not retryable). */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

/** Validated numeric limits of one decode call. */
export interface DecodeLimits {
  readonly maxPoints: number;
  readonly maxAttributeDepth: number;
}

/** Options are programmer input, not wire input: invalid ones throw RangeError, not OtlpDecodeError. */
export function decodeLimits(options: DecodeOptions): DecodeLimits {
  const maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
  const maxAttributeDepth = options.maxAttributeDepth ?? DEFAULT_MAX_ATTRIBUTE_DEPTH;
  if (!Number.isInteger(maxPoints) || maxPoints < 0) {
    throw new RangeError(`maxPoints must be a non-negative integer, got ${maxPoints}`);
  }
  if (!Number.isInteger(maxAttributeDepth) || maxAttributeDepth < 1) {
    throw new RangeError(`maxAttributeDepth must be a positive integer, got ${maxAttributeDepth}`);
  }
  return { maxPoints, maxAttributeDepth: Math.min(maxAttributeDepth, MAX_ALLOWED_ATTRIBUTE_DEPTH) };
}

/** Counters that end up in `DecodedMetrics`, plus the maxPoints guard. */
export class PointTally {
  ignoredPointCount = 0;
  rejectedPointCount = 0;
  readonly rejectionMessages: string[] = [];
  private examined = 0;

  constructor(private readonly maxPoints: number) {}

  /** Called once per data point of a wanted metric, before it is decoded. */
  countExamined(): void {
    this.examined += 1;
    if (this.examined > this.maxPoints) {
      throw new OtlpDecodeError(`too many data points in one request (limit ${this.maxPoints})`);
    }
  }

  reject(metricName: string, reason: string): void {
    this.rejectedPointCount += 1;
    if (this.rejectionMessages.length < MAX_REJECTION_MESSAGES) {
      this.rejectionMessages.push(`metric "${metricName}": ${reason}`);
    }
  }

  /**
   * The acceptance rule both encodings share, applied after the point's fields are read.
   * Returns the reason to reject, or undefined when the point is good.
   */
  static rejectionReason(timeUnixMs: number, value: number): string | undefined {
    if (timeUnixMs === 0) return 'missing time_unix_nano';
    if (Number.isNaN(value)) return 'value is NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'value is +Infinity' : 'value is -Infinity';
    return undefined;
  }
}

/**
 * Sets an attribute on a plain-object record. `__proto__` would otherwise hit the prototype
 * setter and vanish; a sender is free to use it as a key.
 */
export function setAttribute(target: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}

/** Renders a double for JSON text: non-finite values become the proto3-JSON strings. */
export function doubleToJson(value: number): string {
  return Number.isFinite(value) ? String(value) : `"${String(value)}"`;
}
