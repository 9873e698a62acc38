/**
 * Scalar conversions for OTLP/JSON (proto3 JSON mapping with the OTLP deviations): 64-bit
 * integers arrive as decimal strings or as numbers, doubles may be "NaN" / "Infinity" /
 * "-Infinity", enums are integers. Each function returns the converted value, or undefined when
 * the JSON value has the wrong type or format (the caller owns the JSON path for the error).
 */

const UNSIGNED_DIGITS = /^[0-9]{1,20}$/;
const SIGNED_DIGITS = /^-?[0-9]{1,19}$/;
const DECIMAL_NUMBER = /^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]*={0,2}|[A-Za-z0-9_-]*={0,2})$/;

const UINT64_MAX = '18446744073709551615';
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const TWO_POW_64 = 2 ** 64;
const TWO_POW_63 = 2 ** 63;

/** fixed64 nanoseconds → whole milliseconds (truncated). Absent → 0. */
export function nanosToMillis(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'string') {
    if (!UNSIGNED_DIGITS.test(value)) return undefined;
    if (value.length === 20 && value > UINT64_MAX) return undefined;
    // Dropping the last six digits divides by 10^6 exactly; the rest has ≤ 14 digits (< 2^53).
    return value.length <= 6 ? 0 : Number(value.slice(0, -6));
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < TWO_POW_64) {
    return Math.floor(value / 1_000_000);
  }
  return undefined;
}

/** int64 → nearest double (for `asInt`). */
export function int64ToNumber(value: unknown): number | undefined {
  const decimal = int64ToDecimal(value);
  return decimal === undefined ? undefined : Number(decimal);
}

/** int64 → canonical decimal text (for `intValue` attributes). */
export function int64ToDecimal(value: unknown): string | undefined {
  if (typeof value === 'string') {
    if (!SIGNED_DIGITS.test(value)) return undefined;
    const approx = Number(value);
    if (Number.isSafeInteger(approx)) return String(approx);
    const exact = BigInt(value);
    return exact < INT64_MIN || exact > INT64_MAX ? undefined : exact.toString();
  }
  if (typeof value === 'number' && Number.isInteger(value) && value >= -TWO_POW_63 && value < TWO_POW_63) {
    // Integral doubles beyond 2^53 are still exact integers; BigInt prints them without exponent.
    return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
  }
  return undefined;
}

/** double: a JSON number, the special strings, or a decimal string. */
export function toDouble(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  if (value === 'NaN') return Number.NaN;
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (value === '-Infinity') return Number.NEGATIVE_INFINITY;
  return DECIMAL_NUMBER.test(value) ? Number(value) : undefined;
}

/** uint32 (e.g. `flags`) as a number or a decimal string. Absent → 0. */
export function toUint32(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  const n = typeof value === 'string' && /^[0-9]{1,10}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff ? n : undefined;
}

/**
 * AggregationTemporality: OTLP/JSON mandates integers; the enum names are accepted too because
 * generic proto3-JSON encoders (and the collector's own decoder) allow them. Values outside the
 * known set are open-enum values and map to UNSPECIFIED (0).
 */
export function toTemporality(value: unknown): 0 | 1 | 2 | undefined {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return undefined;
    return value === 1 || value === 2 ? value : 0;
  }
  switch (value) {
    case 'AGGREGATION_TEMPORALITY_UNSPECIFIED':
      return 0;
    case 'AGGREGATION_TEMPORALITY_DELTA':
      return 1;
    case 'AGGREGATION_TEMPORALITY_CUMULATIVE':
      return 2;
    default:
      return undefined;
  }
}

/** bytes: standard or URL-safe base64 in, standard base64 out (as the protobuf decoder renders). */
export function normalizeBase64(value: unknown): string | undefined {
  if (typeof value !== 'string' || !BASE64.test(value)) return undefined;
  return Buffer.from(value, 'base64').toString('base64');
}
