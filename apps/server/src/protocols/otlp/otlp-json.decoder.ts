/**
 * Decoder for OTLP/JSON `ExportMetricsServiceRequest` bodies. Parses with JSON.parse (the HTTP
 * layer bounds the body size; V8's parser is iterative, so deep nesting cannot overflow the stack)
 * and then walks the tree with strict type checks at every key it reads. Only lowerCamelCase keys
 * are recognised, as the OTLP spec requires; unknown keys (including snake_case spellings) are
 * ignored, and `null` means "field absent", as in proto3 JSON.
 *
 * Produces the same output and applies the same point rules as the protobuf decoder.
 */
import type { DecodedMetrics, MetricPoint, ResourcePoints } from '../../domain/telemetry/metric-point.ts';
import {
  decodeLimits,
  doubleToJson,
  FLAG_NO_RECORDED_VALUE,
  OtlpDecodeError,
  PointTally,
  setAttribute,
} from './otlp-decode.common.ts';
import type { DecodeOptions } from './otlp-decode.common.ts';
import {
  int64ToDecimal,
  int64ToNumber,
  nanosToMillis,
  normalizeBase64,
  toDouble,
  toTemporality,
  toUint32,
} from './otlp-json.values.ts';

export { OtlpDecodeError } from './otlp-decode.common.ts';
export type { DecodeOptions } from './otlp-decode.common.ts';

type JsonObject = Readonly<Record<string, unknown>>;

const NO_ITEMS: readonly unknown[] = [];

/** The Metric data oneof, in the order its members are looked up. */
const DATA_KEYS = ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'] as const;
/** The AnyValue oneof. */
const ANY_VALUE_KEYS = [
  'stringValue',
  'boolValue',
  'intValue',
  'doubleValue',
  'arrayValue',
  'kvlistValue',
  'bytesValue',
] as const;
type AnyValueKey = (typeof ANY_VALUE_KEYS)[number];

/**
 * Decodes an OTLP/HTTP JSON metrics request. `ignoredPointCount` counts the data points of
 * unwanted Sum/Gauge metrics and of every histogram / exponential histogram / summary.
 *
 * @throws OtlpDecodeError for invalid JSON, a wrong type or format at a known key (the message
 *   carries the JSON path), over-deep attribute values, or more than `maxPoints` data points.
 */
export function decodeMetricsJson(text: string, options: DecodeOptions): DecodedMetrics {
  let root: unknown;
  try {
    // A UTF-8 BOM is legal at the start of a JSON body but not for JSON.parse.
    root = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new OtlpDecodeError(`invalid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return new JsonRequestWalker(options).decode(root);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class JsonRequestWalker {
  private readonly tally: PointTally;
  private readonly maxDepth: number;
  /** Keys and indexes from the root to the value being read; only formatted on error. */
  private readonly path: (string | number)[] = [];

  constructor(private readonly options: DecodeOptions) {
    const limits = decodeLimits(options);
    this.tally = new PointTally(limits.maxPoints);
    this.maxDepth = limits.maxAttributeDepth;
  }

  decode(root: unknown): DecodedMetrics {
    if (!isObject(root)) this.fail(`: expected an object, got ${describe(root)}`);
    const resources: ResourcePoints[] = [];
    this.eachObject(root, 'resourceMetrics', (resourceMetrics) => {
      const resourceAttributes: Record<string, string> = {};
      const points: MetricPoint[] = [];
      const resource = this.object(resourceMetrics, 'resource');
      if (resource !== undefined) {
        this.path.push('resource');
        this.attributesInto(resource, resourceAttributes);
        this.path.pop();
      }
      this.eachObject(resourceMetrics, 'scopeMetrics', (scopeMetrics) => {
        this.eachObject(scopeMetrics, 'metrics', (metric) => this.metric(metric, points));
      });
      resources.push({ resourceAttributes, points });
    });
    const { ignoredPointCount, rejectedPointCount, rejectionMessages } = this.tally;
    return { resources, ignoredPointCount, rejectedPointCount, rejectionMessages };
  }

  private metric(metric: JsonObject, points: MetricPoint[]): void {
    const name = this.string(metric, 'name');
    let dataKey: (typeof DATA_KEYS)[number] | undefined;
    for (const key of DATA_KEYS) {
      const member = metric[key];
      if (member === undefined || member === null) continue;
      if (dataKey !== undefined) this.fail(`.${key}: only one of ${dataKey} and ${key} may be set`);
      dataKey = key;
    }
    if (dataKey === undefined) return;
    const data = this.object(metric, dataKey);
    if (data === undefined) return;
    this.path.push(dataKey);
    const kind = dataKey;
    if ((kind !== 'gauge' && kind !== 'sum') || !this.options.wants(name)) {
      this.tally.ignoredPointCount += this.array(data, 'dataPoints').length;
      this.path.pop();
      return;
    }
    const monotonic = kind === 'sum' && this.boolean(data, 'isMonotonic');
    const temporality = kind === 'sum' ? this.scalar(data, 'aggregationTemporality', toTemporality) : 0;
    this.eachObject(data, 'dataPoints', (point) => {
      this.numberPoint(point, name, kind, monotonic, temporality, points);
    });
    this.path.pop();
  }

  private numberPoint(
    point: JsonObject,
    name: string,
    kind: 'sum' | 'gauge',
    monotonic: boolean,
    temporality: 0 | 1 | 2,
    points: MetricPoint[],
  ): void {
    this.tally.countExamined();
    const attributes: Record<string, string> = {};
    this.attributesInto(point, attributes);
    const startTimeUnixMs = this.scalar(point, 'startTimeUnixNano', nanosToMillis);
    const timeUnixMs = this.scalar(point, 'timeUnixNano', nanosToMillis);
    const flags = this.scalar(point, 'flags', toUint32);
    const hasInt = point.asInt !== undefined && point.asInt !== null;
    const hasDouble = point.asDouble !== undefined && point.asDouble !== null;
    if (hasInt && hasDouble) this.fail('.asDouble: only one of asInt and asDouble may be set');
    // A point without a value, or flagged as a gap, carries nothing to record: skipped, not rejected.
    if ((!hasInt && !hasDouble) || (flags & FLAG_NO_RECORDED_VALUE) !== 0) return;
    const value = hasInt
      ? this.scalar(point, 'asInt', int64ToNumber)
      : this.scalar(point, 'asDouble', toDouble);
    const reason = PointTally.rejectionReason(timeUnixMs, value);
    if (reason !== undefined) {
      this.tally.reject(name, reason);
      return;
    }
    points.push({ name, kind, monotonic, temporality, startTimeUnixMs, timeUnixMs, value, attributes });
  }

  /** Reads `owner.attributes` (repeated KeyValue) into `target`, values rendered as text. */
  private attributesInto(owner: JsonObject, target: Record<string, string>): void {
    this.eachObject(owner, 'attributes', (keyValue) => {
      const key = this.string(keyValue, 'key');
      const value = this.object(keyValue, 'value');
      let text = '';
      if (value !== undefined) {
        this.path.push('value');
        text = this.anyValue(value, 1, false);
        this.path.pop();
      }
      setAttribute(target, key, text);
    });
  }

  /** AnyValue → attribute text, or (with `json`) a JSON fragment for arrays/kvlists. */
  private anyValue(value: JsonObject, depth: number, json: boolean): string {
    if (depth > this.maxDepth) this.fail(`: attribute value nested deeper than ${this.maxDepth} levels`);
    let member: AnyValueKey | undefined;
    for (const key of ANY_VALUE_KEYS) {
      const present = value[key];
      if (present === undefined || present === null) continue;
      if (member !== undefined) this.fail(`.${key}: only one of ${member} and ${key} may be set`);
      member = key;
    }
    switch (member) {
      case undefined:
        return json ? 'null' : '';
      case 'stringValue': {
        const text = this.string(value, member);
        return json ? JSON.stringify(text) : text;
      }
      case 'boolValue':
        return String(this.boolean(value, member));
      case 'intValue':
        return this.scalar(value, member, int64ToDecimal);
      case 'doubleValue': {
        const number = this.scalar(value, member, toDouble);
        return json ? doubleToJson(number) : String(number);
      }
      case 'bytesValue': {
        const base64 = this.scalar(value, member, normalizeBase64);
        return json ? `"${base64}"` : base64;
      }
      case 'arrayValue':
        return this.arrayJson(value, depth + 1);
      case 'kvlistValue':
        return this.kvlistJson(value, depth + 1);
    }
  }

  /** `{values:[AnyValue…]}` → `[v1,…]` */
  private arrayJson(owner: JsonObject, depth: number): string {
    const list = this.object(owner, 'arrayValue');
    if (list === undefined) return '[]';
    this.path.push('arrayValue');
    const parts: string[] = [];
    this.eachObject(list, 'values', (item) => parts.push(this.anyValue(item, depth, true)));
    this.path.pop();
    return `[${parts.join(',')}]`;
  }

  /** `{values:[KeyValue…]}` → `{"k":v,…}` */
  private kvlistJson(owner: JsonObject, depth: number): string {
    const list = this.object(owner, 'kvlistValue');
    if (list === undefined) return '{}';
    this.path.push('kvlistValue');
    const parts: string[] = [];
    this.eachObject(list, 'values', (entry) => {
      const key = this.string(entry, 'key');
      const value = this.object(entry, 'value');
      let fragment = 'null';
      if (value !== undefined) {
        this.path.push('value');
        fragment = this.anyValue(value, depth, true);
        this.path.pop();
      }
      parts.push(`${JSON.stringify(key)}:${fragment}`);
    });
    this.path.pop();
    return `{${parts.join(',')}}`;
  }

  // --- typed accessors: absent/null → default, wrong type → OtlpDecodeError with the path ---

  private eachObject(owner: JsonObject, key: string, visit: (item: JsonObject) => void): void {
    const items = this.array(owner, key);
    if (items.length === 0) return;
    this.path.push(key, 0);
    for (let i = 0; i < items.length; i++) {
      this.path[this.path.length - 1] = i;
      const item = items[i];
      if (!isObject(item)) this.fail(': expected an object');
      visit(item);
    }
    this.path.length -= 2;
  }

  private array(owner: JsonObject, key: string): readonly unknown[] {
    const value = owner[key];
    if (value === undefined || value === null) return NO_ITEMS;
    if (!Array.isArray(value)) this.fail(`.${key}: expected an array, got ${describe(value)}`);
    return value;
  }

  private object(owner: JsonObject, key: string): JsonObject | undefined {
    const value = owner[key];
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) this.fail(`.${key}: expected an object, got ${describe(value)}`);
    return value;
  }

  private string(owner: JsonObject, key: string): string {
    const value = owner[key];
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') this.fail(`.${key}: expected a string, got ${describe(value)}`);
    return value;
  }

  private boolean(owner: JsonObject, key: string): boolean {
    const value = owner[key];
    if (value === undefined || value === null) return false;
    if (typeof value !== 'boolean') this.fail(`.${key}: expected a boolean, got ${describe(value)}`);
    return value;
  }

  private scalar<T>(owner: JsonObject, key: string, convert: (value: unknown) => T | undefined): T {
    const converted = convert(owner[key]);
    if (converted === undefined) this.fail(`.${key}: invalid value ${describe(owner[key])}`);
    return converted;
  }

  private fail(tail: string): never {
    let at = '$';
    for (const segment of this.path) at += typeof segment === 'number' ? `[${segment}]` : `.${segment}`;
    throw new OtlpDecodeError(`${at}${tail}`);
  }
}

/** Short description of an offending JSON value for error messages (never the whole value). */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}
