/**
 * Protobuf wire-format primitives for the hand-written OTLP decoder: a cursor over one request
 * body that reads varints, lengths, fixed-width numbers and UTF-8 strings, and throws
 * OtlpDecodeError (with the byte offset) on anything malformed. No per-read allocation: 64-bit
 * varints hand their upper half back through a field instead of an object or a BigInt.
 */
import { OtlpDecodeError } from './otlp-decode.common.ts';

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/**
 * Expected wire type of each field number a message declares (index = field number, -1 = not
 * declared). Declared fields that the decoder ignores are still checked, so a producer bug shows
 * up as an error instead of being silently skipped.
 */
export type FieldWireTypes = readonly number[];

/** Builds a FieldWireTypes table from `[field, wireType]` pairs. */
export function fieldWireTypes(pairs: readonly (readonly [number, number])[]): FieldWireTypes {
  const table: number[] = [];
  for (const [field, wire] of pairs) {
    while (table.length <= field) table.push(-1);
    table[field] = wire;
  }
  return table;
}

/** Longest string kept in the string cache: metric names, attribute keys and enum-like values. */
const CACHE_MAX_LENGTH = 64;
const CACHE_SLOTS = 4096;
/**
 * Direct-mapped cache of decoded ASCII strings, keyed by a hash of the bytes and confirmed by a
 * byte comparison (so a collision costs a miss, never a wrong string). Collector telemetry repeats
 * the same few hundred names and values in every request. Measured on the bench payload (whole
 * decode, payloads/s): TextDecoder(fatal) for every string ≈ 9.5k, ASCII check + Buffer latin1
 * ≈ 11.6k, this cache ≈ 19k. Module-level on purpose: the hit rate comes from reuse across
 * requests. Bounded to CACHE_SLOTS × CACHE_MAX_LENGTH bytes.
 */
const cacheBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(CACHE_SLOTS).fill(undefined);
const cacheStrings: string[] = new Array<string>(CACHE_SLOTS).fill('');

/** Only used for strings with non-ASCII bytes; `fatal` makes invalid UTF-8 throw. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export class ProtoCursor {
  /** Absolute read position in `buf`. */
  pos = 0;
  /** Upper 32 bits (unsigned) of the last varint returned by `varint()`. */
  hi = 0;
  readonly buf: Uint8Array;
  /** One view per body (not per read) for the little-endian fixed-width reads. */
  private readonly view: DataView;
  /** The same bytes as a Buffer, for native latin1/base64 slicing. */
  private readonly bytes: Buffer;

  constructor(body: Uint8Array) {
    this.buf = body;
    this.view = new DataView(body.buffer, body.byteOffset, body.byteLength);
    this.bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }

  fail(what: string, at: number = this.pos): never {
    throw new OtlpDecodeError(`${what} at byte ${at}`);
  }

  /**
   * Call sites pass a constant message name plus an optional field number instead of a
   * pre-built string, so the success path never builds error text.
   */
  private static where(message: string, field: number): string {
    return field === 0 ? message : `${message} field ${field}`;
  }

  /**
   * Reads a varint of at most 10 bytes that must end before `end`. Returns the low 32 bits as an
   * unsigned number and leaves the high 32 bits in `this.hi`.
   */
  varint(end: number, message: string, field = 0): number {
    const buf = this.buf;
    const start = this.pos;
    let pos = start;
    if (pos >= end) this.fail(`truncated varint in ${ProtoCursor.where(message, field)}`, start);
    let b = buf[pos++] ?? 0;
    if (b < 0x80) {
      this.pos = pos;
      this.hi = 0;
      return b;
    }
    let lo = b & 0x7f;
    // Bytes 2-4 carry bits 7..27.
    for (let shift = 7; shift < 28; shift += 7) {
      if (pos >= end) this.fail(`truncated varint in ${ProtoCursor.where(message, field)}`, start);
      b = buf[pos++] ?? 0;
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = pos;
        this.hi = 0;
        return lo >>> 0;
      }
    }
    // Byte 5 straddles the halves: 4 bits to the low word, 3 to the high word.
    if (pos >= end) this.fail(`truncated varint in ${ProtoCursor.where(message, field)}`, start);
    b = buf[pos++] ?? 0;
    lo |= (b & 0x0f) << 28;
    let hi = (b & 0x7f) >>> 4;
    // Bytes 6-10 carry bits 35..63.
    for (let shift = 3; b >= 0x80; shift += 7) {
      if (shift > 31) this.fail(`varint longer than 10 bytes in ${ProtoCursor.where(message, field)}`, start);
      if (pos >= end) this.fail(`truncated varint in ${ProtoCursor.where(message, field)}`, start);
      b = buf[pos++] ?? 0;
      hi |= (b & 0x7f) << shift;
    }
    // A 10th byte may only contribute bit 63; anything more does not fit in 64 bits.
    if (pos - start === 10 && b > 1) {
      this.fail(`varint overflows 64 bits in ${ProtoCursor.where(message, field)}`, start);
    }
    this.pos = pos;
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  /** Reads a field tag (field number ≥ 1, < 2^29) and returns it whole: `field << 3 | wireType`. */
  tag(end: number, message: string): number {
    const at = this.pos;
    // Fast path: fields 1-15 have one-byte tags, and OTLP uses no others.
    if (at < end) {
      const b = this.buf[at] ?? 0;
      if (b < 0x80 && b >= 8) {
        this.pos = at + 1;
        return b;
      }
    }
    const tag = this.varint(end, message);
    if (this.hi !== 0) this.fail(`field number out of range in ${message}`, at);
    if (tag < 8) this.fail(`field number 0 in ${message}`, at);
    return tag;
  }

  /** Reads a LEN prefix and checks the payload fits before `end`; returns the payload length. */
  length(end: number, message: string, field = 0): number {
    const at = this.pos;
    const first = at < end ? (this.buf[at] ?? 0) : 0x80;
    // Fast path: payloads under 128 bytes (most KeyValues, AnyValues and data points).
    const len = first < 0x80 ? first : this.varint(end, message, field);
    const high = first < 0x80 ? 0 : this.hi;
    if (first < 0x80) this.pos = at + 1;
    if (high !== 0 || len > end - this.pos) {
      this.fail(
        `length ${high * 0x1_0000_0000 + len} exceeds the ${end - this.pos} bytes left in ${ProtoCursor.where(message, field)}`,
        at,
      );
    }
    return len;
  }

  /** Fails unless a fixed-width payload of `size` bytes fits before `end`; returns its offset. */
  fixed(size: number, end: number, message: string, field = 0): number {
    const at = this.pos;
    if (end - at < size) {
      this.fail(`truncated ${size * 8}-bit value in ${ProtoCursor.where(message, field)}`, at);
    }
    this.pos = at + size;
    return at;
  }

  /** fixed64 nanoseconds since the epoch → whole milliseconds (truncated, exact for all inputs). */
  fixed64NanosToMillis(end: number, message: string): number {
    const at = this.fixed(8, end, message);
    const lo = this.view.getUint32(at, true);
    const hi = this.view.getUint32(at + 4, true);
    // ns = hi·2^32 + lo = hi·4294·10^6 + rest with rest = hi·967296 + lo < 2^53. The quotient
    // rest / 10^6 can round across an integer, so it is corrected with an exact remainder check
    // (cheaper than `%`, which leaves the int32 fast path for values this large).
    const rest = hi * 967_296 + lo;
    let quotient = Math.floor(rest / 1_000_000);
    const remainder = rest - quotient * 1_000_000;
    if (remainder < 0) quotient -= 1;
    else if (remainder >= 1_000_000) quotient += 1;
    return hi * 4294 + quotient;
  }

  /** sfixed64 (two's complement, little endian) → nearest double. */
  sfixed64(end: number, message: string): number {
    const at = this.fixed(8, end, message);
    return this.view.getInt32(at + 4, true) * 0x1_0000_0000 + this.view.getUint32(at, true);
  }

  double(end: number, message: string): number {
    return this.view.getFloat64(this.fixed(8, end, message), true);
  }

  /**
   * Skips the payload of a field the caller does not act on. Declared fields must carry their
   * declared wire type; undeclared ones are skipped by whatever wire type they have.
   */
  skipField(tag: number, end: number, message: string, declared: FieldWireTypes): void {
    const at = this.pos;
    const field = tag >>> 3;
    const wire = tag & 7;
    const expected = declared[field] ?? -1;
    if (expected !== -1 && expected !== wire) {
      this.fail(`${message} field ${field} has wire type ${wire}, expected ${expected}`, at);
    }
    switch (wire) {
      case WIRE_VARINT:
        this.varint(end, message, field);
        return;
      case WIRE_I64:
        this.fixed(8, end, message, field);
        return;
      case WIRE_LEN: {
        const len = this.length(end, message, field);
        this.pos += len;
        return;
      }
      case WIRE_I32:
        this.fixed(4, end, message, field);
        return;
      case 3:
      case 4:
        this.fail(`unsupported group wire type ${wire} in ${message} field ${field}`, at);
        break;
      default:
        this.fail(`invalid wire type ${wire} in ${message} field ${field}`, at);
    }
  }

  /** Decodes the UTF-8 string at [start, end) (already bounds-checked by `length`). */
  string(start: number, end: number, where: string): string {
    const len = end - start;
    if (len === 0) return '';
    if (len > CACHE_MAX_LENGTH) return this.uncachedString(start, end, where);
    const buf = this.buf;
    const view = this.view;
    // One pass, four bytes at a time: hash the bytes and OR them together for the ASCII check.
    let hash = len;
    let bits = 0;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      const word = view.getUint32(i, true);
      bits |= word;
      hash = Math.imul(hash ^ word, 0x9e3779b1);
    }
    for (; i < end; i++) {
      const b = buf[i] ?? 0;
      bits |= b;
      hash = Math.imul(hash ^ b, 0x01000193);
    }
    if ((bits & 0x80808080) !== 0) return this.nonAsciiString(start, end, where);
    const slot = (hash ^ (hash >>> 16)) & (CACHE_SLOTS - 1);
    const cached = cacheBytes[slot];
    if (cached?.length === len) {
      let k = 0;
      while (k < len && cached[k] === buf[start + k]) k++;
      if (k === len) return cacheStrings[slot] ?? '';
    }
    const decoded = this.bytes.toString('latin1', start, end);
    cacheBytes[slot] = buf.slice(start, end);
    cacheStrings[slot] = decoded;
    return decoded;
  }

  /** Long strings (descriptions, long attribute values) are rare: no cache, no hashing. */
  private uncachedString(start: number, end: number, where: string): string {
    const buf = this.buf;
    for (let i = start; i < end; i++) {
      if ((buf[i] ?? 0) >= 0x80) return this.nonAsciiString(start, end, where);
    }
    return this.bytes.toString('latin1', start, end);
  }

  private nonAsciiString(start: number, end: number, where: string): string {
    try {
      return strictUtf8.decode(this.buf.subarray(start, end));
    } catch {
      return this.fail(`invalid UTF-8 in ${where}`, start);
    }
  }

  base64(start: number, end: number): string {
    return this.bytes.toString('base64', start, end);
  }
}
