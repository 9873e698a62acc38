/**
 * Fast re-encoding of a payload whose shape never changes between pushes: only the fixed-width
 * fields move (fixed64 timestamps, sfixed64 `as_int`, double `as_double`). The request is
 * encoded once with unique sentinel values, their byte offsets are found, and each push copies
 * the template and writes the current values at those offsets — a few microseconds instead of a
 * full encode, so one core can generate a large fleet's traffic.
 */
export interface TemplateSlots {
  /** Sentinel values to put in the template, one per value slot. */
  readonly valueSentinels: readonly number[];
  readonly startSentinelMs: number;
  readonly timeSentinelMs: number;
}

const sentinelBase = 0x3a5a_5a5a_0000;

/** Sentinels that cannot collide with real data or each other (distinct 8-byte patterns). */
export function sentinelsFor(slotCount: number): TemplateSlots {
  return {
    valueSentinels: Array.from({ length: slotCount }, (_, i) => sentinelBase + i * 7919),
    startSentinelMs: 1_111_111_111_111,
    timeSentinelMs: 2_222_222_222_222,
  };
}

interface Offsets {
  readonly value: number[];
  readonly valueIsDouble: boolean[];
  readonly start: number[];
  readonly time: number[];
}

function findAll(haystack: Buffer, needle: Buffer): number[] {
  const found: number[] = [];
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length))
    found.push(at);
  return found;
}

function int64Bytes(value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(value);
  return b;
}

function doubleBytes(value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return b;
}

export class PayloadTemplate {
  private readonly offsets: Offsets;

  constructor(
    private readonly template: Buffer,
    slots: TemplateSlots,
  ) {
    const value: number[] = [];
    const valueIsDouble: boolean[] = [];
    for (const sentinel of slots.valueSentinels) {
      const asInt = findAll(template, int64Bytes(BigInt(sentinel)));
      const asDouble = findAll(template, doubleBytes(sentinel));
      const at = asInt.length === 1 ? asInt[0] : asDouble.length === 1 ? asDouble[0] : undefined;
      if (at === undefined) throw new Error(`template slot ${sentinel} not found exactly once`);
      value.push(at);
      valueIsDouble.push(asInt.length !== 1);
    }
    this.offsets = {
      value,
      valueIsDouble,
      start: findAll(template, int64Bytes(BigInt(slots.startSentinelMs) * 1_000_000n)),
      time: findAll(template, int64Bytes(BigInt(slots.timeSentinelMs) * 1_000_000n)),
    };
  }

  /** A fresh request body with `values` (in slot order) and the given times. */
  render(values: readonly number[], startUnixMs: number, timeUnixMs: number): Buffer {
    const out = Buffer.from(this.template);
    const { value, valueIsDouble, start, time } = this.offsets;
    for (let i = 0; i < value.length; i++) {
      const at = value[i]!;
      const v = values[i] ?? 0;
      if (valueIsDouble[i]) out.writeDoubleLE(v, at);
      else writeInt64(out, Math.round(v), at);
    }
    const startNs = int64Bytes(BigInt(Math.round(startUnixMs)) * 1_000_000n);
    const timeNs = int64Bytes(BigInt(Math.round(timeUnixMs)) * 1_000_000n);
    for (const at of start) startNs.copy(out, at);
    for (const at of time) timeNs.copy(out, at);
    return out;
  }
}

/** Two's-complement int64 from a safe integer, without a BigInt per value. */
function writeInt64(out: Buffer, value: number, at: number): void {
  const lo = value >>> 0;
  const hi = Math.floor(value / 4294967296);
  out.writeUInt32LE(lo, at);
  out.writeInt32LE(hi, at + 4);
}
