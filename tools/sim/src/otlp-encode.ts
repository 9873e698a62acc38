/**
 * A small OTLP/HTTP protobuf encoder for `ExportMetricsServiceRequest`, enough to send what a
 * collector's own telemetry looks like (Sum, Gauge and Histogram number points with string
 * attributes). Field numbers: opentelemetry-proto v1.11 (see the reference's §5.3). Written for
 * the simulator's throughput, not generality: every call returns a ready Buffer.
 */

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A LEN field (wire type 2) around already-encoded bytes. */
export function lenField(field: number, ...parts: Buffer[]): Buffer {
  const payload = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
}

function stringField(field: number, value: string): Buffer {
  return lenField(field, Buffer.from(value, 'utf8'));
}

function varintField(field: number, value: number): Buffer {
  return Buffer.concat([varint(field << 3), varint(value)]);
}

/** fixed64 / sfixed64 / double: wire type 1, little endian. */
function i64Field(field: number, write: (buffer: Buffer) => void): Buffer {
  const buffer = Buffer.alloc(9);
  buffer[0] = (field << 3) | 1;
  write(buffer);
  return buffer;
}

const nanosOf = (unixMs: number) => BigInt(Math.round(unixMs)) * 1_000_000n;

/** KeyValue{key, value: AnyValue{string_value}}. */
export function stringAttribute(key: string, value: string): Buffer {
  return Buffer.concat([stringField(1, key), lenField(2, stringField(1, value))]);
}

export type Attributes = Readonly<Record<string, string>>;

function attributes(field: number, attrs: Attributes): Buffer[] {
  return Object.entries(attrs).map(([k, v]) => lenField(field, stringAttribute(k, v)));
}

export interface NumberPoint {
  readonly attributes: Attributes;
  /** Read at every push (the template is encoded once, then values are patched in place). */
  readonly value: number;
  /** Integers are sent as `as_int`, others as `as_double`, as the collector's instruments do. */
  readonly integer: boolean;
}

function numberDataPoint(point: NumberPoint, startUnixMs: number, timeUnixMs: number): Buffer {
  const parts = attributes(7, point.attributes);
  if (startUnixMs > 0) parts.push(i64Field(2, (b) => b.writeBigUInt64LE(nanosOf(startUnixMs), 1)));
  parts.push(i64Field(3, (b) => b.writeBigUInt64LE(nanosOf(timeUnixMs), 1)));
  parts.push(
    point.integer
      ? i64Field(6, (b) => b.writeBigInt64LE(BigInt(Math.round(point.value)), 1))
      : i64Field(4, (b) => b.writeDoubleLE(point.value, 1)),
  );
  return lenField(1, ...parts);
}

export interface MetricSpec {
  readonly name: string;
  readonly unit: string;
  readonly kind: 'counter' | 'gauge' | 'updown';
  readonly points: readonly NumberPoint[];
}

/**
 * Metric{name, unit, sum|gauge}. Counters are cumulative monotonic sums; `startUnixMs` 0 leaves
 * the points' start time out (Alloy ≥ 1.14 sends none).
 */
export function metric(spec: MetricSpec, startUnixMs: number, timeUnixMs: number): Buffer {
  const points = spec.points.map((p) =>
    numberDataPoint(p, spec.kind === 'gauge' ? 0 : startUnixMs, timeUnixMs),
  );
  const head = [stringField(1, spec.name), stringField(3, spec.unit)];
  if (spec.kind === 'gauge') return Buffer.concat([...head, lenField(5, ...points)]);
  return Buffer.concat([
    ...head,
    lenField(7, ...points, varintField(2, 2), varintField(3, spec.kind === 'counter' ? 1 : 0)),
  ]);
}

/**
 * A cumulative explicit-bucket histogram metric (the server skips these; they are realistic bulk).
 * `startUnixMs` 0 leaves the start time out, as Alloy ≥ 1.14 does.
 */
export function histogram(
  name: string,
  attrs: Attributes,
  bounds: readonly number[],
  counts: readonly number[],
  startUnixMs: number,
  timeUnixMs: number,
): Buffer {
  const count = counts.reduce((a, b) => a + b, 0);
  const bucketCounts = Buffer.alloc(8 * counts.length);
  counts.forEach((c, i) => bucketCounts.writeBigUInt64LE(BigInt(c), 8 * i));
  const explicitBounds = Buffer.alloc(8 * bounds.length);
  bounds.forEach((b, i) => explicitBounds.writeDoubleLE(b, 8 * i));
  const start = startUnixMs > 0 ? [i64Field(2, (b) => b.writeBigUInt64LE(nanosOf(startUnixMs), 1))] : [];
  const point = lenField(
    1,
    ...attributes(9, attrs),
    ...start,
    i64Field(3, (b) => b.writeBigUInt64LE(nanosOf(timeUnixMs), 1)),
    i64Field(4, (b) => b.writeBigUInt64LE(BigInt(count), 1)),
    i64Field(5, (b) => b.writeDoubleLE(count * 0.004, 1)),
    lenField(6, bucketCounts),
    lenField(7, explicitBounds),
  );
  return Buffer.concat([stringField(1, name), stringField(3, 's'), lenField(9, point, varintField(2, 2))]);
}

/** ScopeMetrics{scope{name, version}, metrics…}. */
export function scopeMetrics(scopeName: string, version: string, metrics: readonly Buffer[]): Buffer {
  return Buffer.concat([
    lenField(1, stringField(1, scopeName), stringField(2, version)),
    ...metrics.map((m) => lenField(2, m)),
  ]);
}

/** ExportMetricsServiceRequest with one ResourceMetrics. */
export function exportRequest(resource: Attributes, scopes: readonly Buffer[]): Buffer {
  const resourceMessage = Buffer.concat(attributes(1, resource));
  return lenField(1, lenField(1, resourceMessage), ...scopes.map((s) => lenField(2, s)));
}
