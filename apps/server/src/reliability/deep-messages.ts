/**
 * Deeply nested but otherwise well-formed messages: the inputs that overflow a recursive decoder
 * or stall one that walks every level. Protobuf nests are built from the inside out with length
 * prefixes only, so a million levels cost linear time and no recursion here.
 */
import { T0_NS } from '../protocols/otlp/testing/otlp-bytes.ts';
import { T0_NS_TEXT } from '../protocols/otlp/testing/otlp-json.ts';
import { concat, fixed64Field, lenField, stringField } from '../protocols/otlp/testing/proto-writer.ts';

export type AnyValueShape = 'kvlist' | 'array';

/**
 * Writes a message from its last byte to its first: each nesting level is a prefix before
 * everything written so far, and `length` is the size of that inner part.
 */
class BackwardWriter {
  private buf: Uint8Array;
  private start: number;

  constructor(capacityBytes: number) {
    this.buf = new Uint8Array(capacityBytes);
    this.start = capacityBytes;
  }

  get length(): number {
    return this.buf.length - this.start;
  }

  bytes(bytes: Uint8Array): this {
    if (bytes.length > this.start) this.grow(bytes.length);
    this.start -= bytes.length;
    this.buf.set(bytes, this.start);
    return this;
  }

  varint(value: number): this {
    let bytes = 1;
    for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) bytes += 1;
    if (bytes > this.start) this.grow(bytes);
    this.start -= bytes;
    let rest = value;
    for (let i = 0; i < bytes; i++) {
      this.buf[this.start + i] = (rest % 0x80) | (i < bytes - 1 ? 0x80 : 0);
      rest = Math.floor(rest / 0x80);
    }
    return this;
  }

  /** A tag of wire type 2 (LEN) with the length of everything written so far. */
  lenTag(field: number): this {
    return this.varint(this.length).varint((field << 3) | 2);
  }

  finish(): Uint8Array {
    return this.buf.subarray(this.start);
  }

  private grow(atLeastBytes: number): void {
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.buf.length + atLeastBytes));
    const offset = bigger.length - this.buf.length;
    bigger.set(this.buf, offset);
    this.buf = bigger;
    this.start += offset;
  }
}

const keyK = stringField(1, 'k');

/**
 * A KeyValue payload `{key: "k", value: AnyValue}` whose value nests `levels` kvlists or arrays
 * around a string (OTLP and OpAMP share the AnyValue field numbers).
 */
export function nestedKeyValue(levels: number, shape: AnyValueShape): Uint8Array {
  const w = new BackwardWriter(levels * 12 + 32).bytes(stringField(1, 'leaf'));
  for (let level = 0; level < levels; level++) {
    // kvlist: AnyValue{kvlist_value (6): KeyValueList{values (1): KeyValue{key, value (2): inner}}}
    // array:  AnyValue{array_value (5): ArrayValue{values (1): inner}}
    if (shape === 'kvlist') w.lenTag(2).bytes(keyK).lenTag(1).lenTag(6);
    else w.lenTag(1).lenTag(5);
  }
  return w.lenTag(2).bytes(keyK).finish();
}

/** An OTLP ExportMetricsServiceRequest whose one gauge point carries `keyValue` as its attribute. */
export function otlpRequestWithPointAttribute(keyValue: Uint8Array): Uint8Array {
  const point = concat(lenField(7, keyValue), fixed64Field(3, T0_NS), fixed64Field(6, 1n));
  const metric = concat(stringField(1, 'otelcol_exporter_queue_size'), lenField(5, lenField(1, point)));
  return lenField(1, lenField(2, lenField(2, metric)));
}

/** An OpAMP AgentToServer whose agent description carries `keyValue` as an identifying attribute. */
export function opampMessageWithAttribute(instanceUid: Uint8Array, keyValue: Uint8Array): Uint8Array {
  return concat(lenField(1, instanceUid), lenField(3, lenField(1, keyValue)));
}

/**
 * An OpAMP AgentToServer whose health nests `levels` ComponentHealth maps
 * (`component_health_map` (6): entry{key (1), value (2): ComponentHealth}).
 */
export function opampMessageWithDeepHealth(instanceUid: Uint8Array, levels: number): Uint8Array {
  const key = stringField(1, 'c');
  const w = new BackwardWriter(levels * 8 + 32);
  for (let level = 0; level < levels; level++) w.lenTag(2).bytes(key).lenTag(6);
  return w.lenTag(5).bytes(lenField(1, instanceUid)).finish();
}

/** An OTLP/JSON request whose one gauge point has an attribute nested `levels` deep. */
export function otlpJsonWithDeepAttribute(levels: number, shape: AnyValueShape): string {
  const [open, close] =
    shape === 'kvlist'
      ? ['{"kvlistValue":{"values":[{"key":"k","value":', '}]}}']
      : ['{"arrayValue":{"values":[', ']}}'];
  const value = open.repeat(levels) + '{"stringValue":"leaf"}' + close.repeat(levels);
  return (
    '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"otelcol_exporter_queue_size","gauge":' +
    `{"dataPoints":[{"timeUnixNano":"${T0_NS_TEXT}","asInt":"1","attributes":[{"key":"k","value":${value}}]}]}}]}]}]}`
  );
}
