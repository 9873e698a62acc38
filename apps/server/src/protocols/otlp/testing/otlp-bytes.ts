/**
 * Test-only builders for OTLP metrics protobuf messages on top of proto-writer.ts. Each returns
 * the message *payload* (no tag); parents wrap children with `lenField`.
 */
import {
  concat,
  doubleField,
  fixed64Field,
  lenField,
  stringField,
  tag,
  varintBytes,
  varintField,
} from './proto-writer.ts';
import type { Bytes } from './proto-writer.ts';

/** 2026-01-01T00:00:00.123456789Z in nanoseconds. */
export const T0_NS = 1_767_225_600_123_456_789n;
export const T0_MS = 1_767_225_600_123;

/** AnyValue payloads. */
export const anyValue = {
  string: (value: string): Bytes => stringField(1, value),
  bool: (value: boolean): Bytes => varintField(2, value ? 1 : 0),
  int: (value: number | bigint): Bytes => varintField(3, value),
  double: (value: number): Bytes => doubleField(4, value),
  array: (...items: readonly Bytes[]): Bytes => lenField(5, ...items.map((item) => lenField(1, item))),
  kvlist: (...entries: readonly (readonly [string, Bytes])[]): Bytes =>
    lenField(6, ...entries.map(([key, value]) => lenField(1, keyValue(key, value)))),
  bytes: (value: Uint8Array): Bytes => lenField(7, value),
};

export function keyValue(key: string, value: Bytes): Bytes {
  return concat(stringField(1, key), lenField(2, value));
}

/** A repeated KeyValue field (e.g. NumberDataPoint.attributes = 7, Resource.attributes = 1). */
export function attributes(field: number, entries: Readonly<Record<string, Bytes>>): Bytes {
  return concat(...Object.entries(entries).map(([key, value]) => lenField(field, keyValue(key, value))));
}

export interface PointSpec {
  readonly startNs?: bigint;
  readonly timeNs?: bigint;
  readonly asInt?: bigint;
  readonly asDouble?: number;
  readonly flags?: number;
  readonly attributes?: Readonly<Record<string, Bytes>>;
  /** Extra raw fields appended to the point (unknown fields, exemplars …). */
  readonly extra?: Bytes;
}

export function numberPoint(spec: PointSpec): Bytes {
  const parts: Bytes[] = [];
  if (spec.attributes) parts.push(attributes(7, spec.attributes));
  if (spec.startNs !== undefined) parts.push(fixed64Field(2, spec.startNs));
  parts.push(fixed64Field(3, spec.timeNs ?? T0_NS));
  if (spec.asDouble !== undefined) parts.push(doubleField(4, spec.asDouble));
  if (spec.asInt !== undefined) parts.push(fixed64Field(6, spec.asInt));
  if (spec.flags !== undefined) parts.push(varintField(8, spec.flags));
  if (spec.extra) parts.push(spec.extra);
  return concat(...parts);
}

/** Metric.sum field; temporality and is_monotonic after the points, as real encoders write them. */
export function sumData(points: readonly Bytes[], temporality = 2, monotonic = true): Bytes {
  return lenField(
    7,
    ...points.map((point) => lenField(1, point)),
    varintField(2, temporality),
    varintField(3, monotonic ? 1 : 0),
  );
}

export function gaugeData(points: readonly Bytes[]): Bytes {
  return lenField(5, ...points.map((point) => lenField(1, point)));
}

export function metric(name: string, data: Bytes, extra: Bytes = new Uint8Array(0)): Bytes {
  return concat(stringField(1, name), data, extra);
}

/** ExportMetricsServiceRequest with one ResourceMetrics holding one ScopeMetrics. */
export function request(
  resourceAttributes: Readonly<Record<string, Bytes>>,
  metrics: readonly Bytes[],
): Bytes {
  const scopeMetrics = concat(
    lenField(1, stringField(1, 'go.opentelemetry.io/collector/receiver/receiverhelper')),
    ...metrics.map((m) => lenField(2, m)),
  );
  const resourceMetrics = concat(lenField(1, attributes(1, resourceAttributes)), lenField(2, scopeMetrics));
  return lenField(1, resourceMetrics);
}

/**
 * An attribute payload (KeyValue, key "k") whose value is a kvlist nested `levels` deep. Built
 * iteratively from the inside out (prefixes only), so 10 000 levels cost no recursion and no
 * quadratic copying.
 */
export function deeplyNestedKeyValue(levels: number): Bytes {
  const key = stringField(1, 'k');
  let inner: Bytes = anyValue.string('leaf');
  let innerLength = inner.length;
  const prefixes: Bytes[] = [];
  for (let level = 0; level < levels; level++) {
    // AnyValue{kvlist_value (6): KeyValueList{values (1): KeyValue{key, value (2): inner}}}
    const keyValueLength = key.length + 1 + varintBytes(innerLength).length + innerLength;
    const listLength = 1 + varintBytes(keyValueLength).length + keyValueLength;
    const prefix = concat(
      tag(6, 2),
      varintBytes(listLength),
      tag(1, 2),
      varintBytes(keyValueLength),
      key,
      tag(2, 2),
      varintBytes(innerLength),
    );
    prefixes.push(prefix);
    innerLength += prefix.length;
  }
  prefixes.reverse();
  inner = concat(...prefixes, inner);
  return concat(key, tag(2, 2), varintBytes(inner.length), inner);
}
