import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { OtlpDecodeError } from './otlp-decode.common.ts';
import { int64ToDecimal } from './otlp-protobuf.attributes.ts';
import { ProtoCursor } from './otlp-protobuf.wire.ts';
import { varintBytes } from './testing/proto-writer.ts';

function fixed64Bytes(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, true);
  return bytes;
}

function nanosToMillis(nanos: bigint): number {
  return new ProtoCursor(fixed64Bytes(nanos)).fixed64NanosToMillis(8, 'test');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

void describe('ProtoCursor', () => {
  void it('truncates fixed64 nanoseconds to exactly floor(ns / 10^6) milliseconds', () => {
    const edges = [0n, 999_999n, 1_000_000n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 64n - 1n];
    for (let k = 1n; k < 2n ** 64n / 1_000_000n; k = k * 7n + 3n)
      edges.push(k * 1_000_000n - 1n, k * 1_000_000n);
    for (const nanos of edges) assert.equal(nanosToMillis(nanos), Number(nanos / 1_000_000n), `${nanos} ns`);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (nanos) => {
        assert.equal(nanosToMillis(nanos), Number(nanos / 1_000_000n));
      }),
      { numRuns: 5000 },
    );
  });

  void it('reads every 64-bit varint as its low and high 32-bit halves', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (value) => {
        const bytes = varintBytes(value);
        const cursor = new ProtoCursor(bytes);
        const lo = cursor.varint(bytes.length, 'test');
        assert.equal((BigInt(cursor.hi) << 32n) | BigInt(lo), value);
        assert.equal(cursor.pos, bytes.length);
      }),
      { numRuns: 5000 },
    );
  });

  void it('renders int64 halves as the exact signed decimal', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
        const bits = BigInt.asUintN(64, value);
        assert.equal(int64ToDecimal(Number(bits & 0xffff_ffffn), Number(bits >> 32n)), value.toString());
      }),
      { numRuns: 5000 },
    );
  });

  void it('decodes strings exactly whether cached, colliding or evicted', () => {
    const encoder = new TextEncoder();
    // Far more distinct short strings than cache slots, each decoded twice.
    const texts = Array.from({ length: 10_000 }, (_, i) => `attr_${(i * 2_654_435_761) % 1_000_003}`);
    for (const text of [...texts, ...texts]) {
      const bytes = encoder.encode(text);
      assert.equal(new ProtoCursor(bytes).string(0, bytes.length, 'test'), text);
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        // TextEncoder replaces lone surrogates, so the expectation is the decoded bytes.
        const bytes = encoder.encode(text);
        assert.equal(new ProtoCursor(bytes).string(0, bytes.length, 'test'), strictUtf8.decode(bytes));
      }),
      { numRuns: 5000 },
    );
  });

  void it('accepts exactly the byte strings that are valid UTF-8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        let expected: string | undefined;
        try {
          expected = strictUtf8.decode(bytes);
        } catch {
          expected = undefined;
        }
        const cursor = new ProtoCursor(bytes);
        if (expected === undefined) {
          assert.throws(() => cursor.string(0, bytes.length, 'test'), OtlpDecodeError);
        } else {
          assert.equal(cursor.string(0, bytes.length, 'test'), expected);
        }
      }),
      { numRuns: 5000 },
    );
  });
});
