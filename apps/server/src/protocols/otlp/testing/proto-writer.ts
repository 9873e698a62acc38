/**
 * Test-only protobuf writer: builds byte fixtures field by field, including encodings a real
 * encoder never produces (unknown fields, odd field order, unpacked repeats, malformed bytes).
 * Every function returns the complete encoded field (tag included).
 */

export type Bytes = Uint8Array;

/** Unsigned LEB128 of a non-negative bigint/number; negative values are sign-extended to 64 bits. */
export function varintBytes(value: number | bigint): Bytes {
  let rest = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return Uint8Array.from(out);
}

export function concat(...parts: readonly Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function tag(field: number, wire: number): Bytes {
  return varintBytes((BigInt(field) << 3n) | BigInt(wire));
}

export function varintField(field: number, value: number | bigint): Bytes {
  return concat(tag(field, 0), varintBytes(value));
}

/** LEN field whose payload is the concatenation of `children` (a sub-message, string or packed run). */
export function lenField(field: number, ...children: readonly Bytes[]): Bytes {
  const payload = concat(...children);
  return concat(tag(field, 2), varintBytes(payload.length), payload);
}

export function stringField(field: number, value: string): Bytes {
  return lenField(field, new TextEncoder().encode(value));
}

/** fixed64 / sfixed64 (wire type 1) from a bigint, little endian. */
export function fixed64Field(field: number, value: bigint): Bytes {
  const payload = new Uint8Array(8);
  new DataView(payload.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  return concat(tag(field, 1), payload);
}

export function doubleField(field: number, value: number): Bytes {
  const payload = new Uint8Array(8);
  new DataView(payload.buffer).setFloat64(0, value, true);
  return concat(tag(field, 1), payload);
}

export function fixed32Field(field: number, value: number): Bytes {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint32(0, value, true);
  return concat(tag(field, 5), payload);
}

/** Little-endian fixed64 payloads back to back, for a packed repeated fixed64. */
export function packedFixed64(values: readonly bigint[]): Bytes {
  const payload = new Uint8Array(8 * values.length);
  const view = new DataView(payload.buffer);
  values.forEach((value, i) => view.setBigUint64(8 * i, value, true));
  return payload;
}

/** Little-endian doubles back to back, for a packed repeated double. */
export function packedDoubles(values: readonly number[]): Bytes {
  const payload = new Uint8Array(8 * values.length);
  const view = new DataView(payload.buffer);
  values.forEach((value, i) => view.setFloat64(8 * i, value, true));
  return payload;
}

/** A small builder over the field helpers, for tests that bend individual fields of a request. */
export class ProtoWriter {
  private readonly parts: Bytes[] = [];

  message(field: number, build: (writer: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    this.parts.push(lenField(field, inner.finish()));
    return this;
  }

  string(field: number, value: string): this {
    this.parts.push(stringField(field, value));
    return this;
  }

  bytes(field: number, value: Bytes): this {
    this.parts.push(lenField(field, value));
    return this;
  }

  varint(field: number, value: number | bigint): this {
    this.parts.push(varintField(field, value));
    return this;
  }

  fixed64(field: number, value: bigint): this {
    this.parts.push(fixed64Field(field, BigInt.asUintN(64, value)));
    return this;
  }

  /** sfixed64 shares fixed64's wire form (two's complement). */
  sfixed64(field: number, value: bigint): this {
    return this.fixed64(field, value);
  }

  double(field: number, value: number): this {
    this.parts.push(doubleField(field, value));
    return this;
  }

  finish(): Bytes {
    return concat(...this.parts);
  }
}
