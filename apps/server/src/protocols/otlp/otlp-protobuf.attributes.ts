/**
 * KeyValue / AnyValue decoding for the protobuf OTLP decoder. Attribute values are flattened to
 * strings (MetricPoint.attributes is `Record<string, string>`): scalars as text, arrays and
 * kvlists as JSON text. This is the only recursive part of the decoder, and the recursion is
 * bounded by `maxDepth` so a hostile 10 000-level kvlist fails cleanly instead of overflowing the
 * stack.
 */
import { doubleToJson, setAttribute } from './otlp-decode.common.ts';
import { fieldWireTypes, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './otlp-protobuf.wire.ts';
import type { ProtoCursor } from './otlp-protobuf.wire.ts';

/** KeyValue: key (1), value (2); key_strindex (3) is for profiles only and ignored here. */
const KEY_VALUE_FIELDS = fieldWireTypes([
  [1, WIRE_LEN],
  [2, WIRE_LEN],
  [3, WIRE_VARINT],
]);

/** AnyValue oneof; string_value_strindex (8) is for profiles only and ignored here. */
const ANY_VALUE_FIELDS = fieldWireTypes([
  [1, WIRE_LEN],
  [2, WIRE_VARINT],
  [3, WIRE_VARINT],
  [4, WIRE_I64],
  [5, WIRE_LEN],
  [6, WIRE_LEN],
  [7, WIRE_LEN],
  [8, WIRE_VARINT],
]);

/** ArrayValue.values (1) and KeyValueList.values (1) are the only fields of those messages. */
const LIST_FIELDS = fieldWireTypes([[1, WIRE_LEN]]);

const TAG_KEY = 0x0a;
const TAG_VALUE = 0x12;
const TAG_STRING_VALUE = 0x0a;
const TAG_BOOL_VALUE = 0x10;
const TAG_INT_VALUE = 0x18;
const TAG_DOUBLE_VALUE = 0x21;
const TAG_ARRAY_VALUE = 0x2a;
const TAG_KVLIST_VALUE = 0x32;
const TAG_BYTES_VALUE = 0x3a;
const TAG_LIST_ENTRY = 0x0a;

/**
 * Decodes the KeyValue occupying [c.pos, end) and stores it in `target`, the value rendered as
 * text. A missing value renders as ''; a repeated key keeps the last value.
 */
export function readKeyValueInto(
  c: ProtoCursor,
  end: number,
  target: Record<string, string>,
  maxDepth: number,
): void {
  let key = '';
  let value = '';
  while (c.pos < end) {
    const tag = c.tag(end, 'KeyValue');
    if (tag === TAG_KEY) {
      const len = c.length(end, 'KeyValue.key');
      key = c.string(c.pos, c.pos + len, 'KeyValue.key');
      c.pos += len;
    } else if (tag === TAG_VALUE) {
      const len = c.length(end, 'KeyValue.value');
      value = anyValue(c, c.pos + len, 1, maxDepth, false);
    } else {
      c.skipField(tag, end, 'KeyValue', KEY_VALUE_FIELDS);
    }
  }
  setAttribute(target, key, value);
}

/**
 * Decodes the AnyValue occupying [c.pos, end) at nesting level `depth`. With `json` the result
 * is a JSON fragment (strings quoted, unset → null) for embedding in an array/kvlist rendering;
 * without, it is the plain attribute text. The oneof keeps the last member on the wire, as
 * protobuf parsers do.
 */
function anyValue(c: ProtoCursor, end: number, depth: number, maxDepth: number, json: boolean): string {
  if (depth > maxDepth) c.fail(`attribute value nested deeper than ${maxDepth} levels`);
  let out = json ? 'null' : '';
  while (c.pos < end) {
    const tag = c.tag(end, 'AnyValue');
    switch (tag) {
      case TAG_STRING_VALUE: {
        const len = c.length(end, 'AnyValue.string_value');
        const text = c.string(c.pos, c.pos + len, 'AnyValue.string_value');
        c.pos += len;
        out = json ? JSON.stringify(text) : text;
        break;
      }
      case TAG_BOOL_VALUE:
        out = (c.varint(end, 'AnyValue.bool_value') | c.hi) !== 0 ? 'true' : 'false';
        break;
      case TAG_INT_VALUE:
        out = int64ToDecimal(c.varint(end, 'AnyValue.int_value'), c.hi);
        break;
      case TAG_DOUBLE_VALUE: {
        const value = c.double(end, 'AnyValue.double_value');
        out = json ? doubleToJson(value) : String(value);
        break;
      }
      case TAG_ARRAY_VALUE: {
        const len = c.length(end, 'AnyValue.array_value');
        out = arrayJson(c, c.pos + len, depth + 1, maxDepth);
        break;
      }
      case TAG_KVLIST_VALUE: {
        const len = c.length(end, 'AnyValue.kvlist_value');
        out = kvlistJson(c, c.pos + len, depth + 1, maxDepth);
        break;
      }
      case TAG_BYTES_VALUE: {
        const len = c.length(end, 'AnyValue.bytes_value');
        const base64 = c.base64(c.pos, c.pos + len);
        c.pos += len;
        out = json ? `"${base64}"` : base64;
        break;
      }
      default:
        c.skipField(tag, end, 'AnyValue', ANY_VALUE_FIELDS);
    }
  }
  return out;
}

/** ArrayValue → `[v1,v2,…]`. */
function arrayJson(c: ProtoCursor, end: number, depth: number, maxDepth: number): string {
  let out = '[';
  let first = true;
  while (c.pos < end) {
    const tag = c.tag(end, 'ArrayValue');
    if (tag !== TAG_LIST_ENTRY) {
      c.skipField(tag, end, 'ArrayValue', LIST_FIELDS);
      continue;
    }
    const len = c.length(end, 'ArrayValue.values');
    out += (first ? '' : ',') + anyValue(c, c.pos + len, depth, maxDepth, true);
    first = false;
  }
  return out + ']';
}

/** KeyValueList → `{"k1":v1,…}` in wire order (duplicate keys are kept as sent). */
function kvlistJson(c: ProtoCursor, end: number, depth: number, maxDepth: number): string {
  let out = '{';
  let first = true;
  while (c.pos < end) {
    const tag = c.tag(end, 'KeyValueList');
    if (tag !== TAG_LIST_ENTRY) {
      c.skipField(tag, end, 'KeyValueList', LIST_FIELDS);
      continue;
    }
    const entryLength = c.length(end, 'KeyValueList.values');
    const entryEnd = c.pos + entryLength;
    let key = '';
    let value = 'null';
    while (c.pos < entryEnd) {
      const entryTag = c.tag(entryEnd, 'KeyValue');
      if (entryTag === TAG_KEY) {
        const len = c.length(entryEnd, 'KeyValue.key');
        key = c.string(c.pos, c.pos + len, 'KeyValue.key');
        c.pos += len;
      } else if (entryTag === TAG_VALUE) {
        const len = c.length(entryEnd, 'KeyValue.value');
        value = anyValue(c, c.pos + len, depth, maxDepth, true);
      } else {
        c.skipField(entryTag, entryEnd, 'KeyValue', KEY_VALUE_FIELDS);
      }
    }
    out += `${first ? '' : ','}${JSON.stringify(key)}:${value}`;
    first = false;
  }
  return out + '}';
}

/**
 * Two's-complement int64 (as the low/high uint32 halves of a varint) → decimal. Negative int64
 * varints are always 10 bytes with the high half all ones; BigInt is only used when the value is
 * outside ±2^53.
 */
export function int64ToDecimal(lo: number, hi: number): string {
  if (hi === 0) return String(lo);
  const approx = (hi | 0) * 0x1_0000_0000 + lo;
  if (Number.isSafeInteger(approx)) return String(approx);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}
