import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { DecodedMetrics } from '../../domain/telemetry/metric-point.ts';
import { decodeMetricsProtobuf, OtlpDecodeError } from './otlp-protobuf.decoder.ts';
import type { DecodeOptions } from './otlp-protobuf.decoder.ts';
import { collectorSelfTelemetry, encodeOtlpProtobuf } from './testing/collector-telemetry.fixture.ts';
import {
  anyValue,
  deeplyNestedKeyValue,
  gaugeData,
  metric,
  numberPoint,
  request,
  sumData,
} from './testing/otlp-bytes.ts';
import { concat, fixed64Field, lenField, tag, varintBytes, varintField } from './testing/proto-writer.ts';

const everything: DecodeOptions = { wants: () => true };

const validBody = encodeOtlpProtobuf(collectorSelfTelemetry());

function pointCount(decoded: DecodedMetrics): number {
  return decoded.resources.reduce((sum, resource) => sum + resource.points.length, 0);
}

/** Decodes and returns the result, or the OtlpDecodeError; any other exception fails the test. */
function decodeOrDecodeError(
  body: Uint8Array,
  options: DecodeOptions = everything,
): DecodedMetrics | OtlpDecodeError {
  try {
    return decodeMetricsProtobuf(body, options);
  } catch (error) {
    if (error instanceof OtlpDecodeError) return error;
    throw error;
  }
}

/** Wire-level errors name the offending message/field and end with the byte offset. */
function assertDecodeError(body: Uint8Array, message: RegExp, options: DecodeOptions = everything): void {
  assert.throws(
    () => decodeMetricsProtobuf(body, options),
    (error: unknown) => {
      assert.ok(error instanceof OtlpDecodeError, `expected OtlpDecodeError, got ${String(error)}`);
      assert.match(error.message, message);
      assert.match(error.message, /at byte \d+$/);
      return true;
    },
  );
}

/** A gauge point whose first attribute is `extra`, wrapped in a whole request. */
function requestWithPointAttribute(keyValuePayload: Uint8Array): Uint8Array {
  const point = concat(lenField(7, keyValuePayload), fixed64Field(3, 1n), fixed64Field(6, 1n));
  return request({}, [metric('g', lenField(5, lenField(1, point)))]);
}

void describe('decodeMetricsProtobuf on malformed input', () => {
  void it('throws OtlpDecodeError or decodes fewer points for every truncated prefix of a valid request', () => {
    const full = pointCount(decodeMetricsProtobuf(validBody, everything));
    let errors = 0;
    for (let length = 0; length < validBody.length; length++) {
      const result = decodeOrDecodeError(validBody.subarray(0, length));
      if (result instanceof OtlpDecodeError) errors += 1;
      else assert.ok(pointCount(result) <= full, `prefix ${length} decoded more points than the whole`);
    }
    assert.ok(errors > validBody.length / 2, 'most prefixes cut a length-delimited field and must fail');
  });

  void it('throws only OtlpDecodeError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (body) => {
        decodeOrDecodeError(body);
      }),
      { numRuns: 3000 },
    );
  });

  void it('throws only OtlpDecodeError on valid requests with random bytes overwritten', () => {
    const mutation = fc.array(
      fc.tuple(fc.nat({ max: validBody.length - 1 }), fc.integer({ min: 0, max: 255 })),
      {
        minLength: 1,
        maxLength: 8,
      },
    );
    fc.assert(
      fc.property(mutation, (edits) => {
        const body = validBody.slice();
        for (const [offset, byte] of edits) body[offset] = byte;
        decodeOrDecodeError(body);
      }),
      { numRuns: 3000 },
    );
  });

  void it('rejects a varint longer than ten bytes', () => {
    const elevenBytes = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    assertDecodeError(
      concat(tag(15, 0), elevenBytes),
      /varint longer than 10 bytes in ExportMetricsServiceRequest/,
    );
  });

  void it('rejects a ten-byte varint that overflows 64 bits', () => {
    const overflow = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02]);
    assertDecodeError(concat(tag(15, 0), overflow), /varint overflows 64 bits/);
  });

  void it('accepts the largest ten-byte varint', () => {
    const max = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    assert.deepEqual(decodeMetricsProtobuf(concat(tag(15, 0), max), everything).resources, []);
  });

  void it('rejects a truncated varint', () => {
    assertDecodeError(Uint8Array.from([0x78, 0x80, 0x80]), /truncated varint/);
  });

  void it('rejects a length of 2^40 with the declared and remaining sizes', () => {
    assertDecodeError(
      concat(tag(1, 2), varintBytes(2n ** 40n), Uint8Array.of(0x0a)),
      /length 1099511627776 exceeds the 1 bytes left in ExportMetricsServiceRequest.resource_metrics/,
    );
  });

  void it('rejects a nested length that runs past its enclosing message', () => {
    const metricBytes = concat(tag(1, 2), varintBytes(50), new TextEncoder().encode('short'));
    assertDecodeError(request({}, [metricBytes]), /exceeds the 5 bytes left in Metric.name/);
  });

  void it('rejects field number 0', () => {
    assertDecodeError(Uint8Array.of(0x02, 0x00), /field number 0 in ExportMetricsServiceRequest at byte 0/);
  });

  void it('rejects a field number beyond 2^29 - 1', () => {
    assertDecodeError(concat(varintBytes(2n ** 32n), Uint8Array.of(0)), /field number out of range/);
  });

  void it('rejects the group wire types 3 and 4', () => {
    assertDecodeError(tag(20, 3), /unsupported group wire type 3/);
    assertDecodeError(tag(20, 4), /unsupported group wire type 4/);
  });

  void it('rejects the undefined wire types 6 and 7', () => {
    assertDecodeError(tag(20, 6), /invalid wire type 6/);
    assertDecodeError(tag(20, 7), /invalid wire type 7/);
  });

  void it('rejects a known field with the wrong wire type, naming the message and field', () => {
    assertDecodeError(varintField(1, 5), /ExportMetricsServiceRequest field 1 has wire type 0, expected 2/);
    assertDecodeError(request({}, [concat(varintField(1, 1))]), /Metric field 1 has wire type 0, expected 2/);
    assertDecodeError(
      request({}, [metric('m', lenField(7, lenField(3, Uint8Array.of(1))))]),
      /Sum field 3 has wire type 2, expected 0/,
    );
    assertDecodeError(
      request({}, [metric('m', gaugeData([concat(varintField(3, 1))]))]),
      /NumberDataPoint field 3 has wire type 0, expected 1/,
    );
    assertDecodeError(
      request({}, [metric('m', gaugeData([concat(fixed64Field(3, 1n), lenField(6, Uint8Array.of(1)))]))]),
      /NumberDataPoint field 6 has wire type 2, expected 1/,
    );
    assertDecodeError(
      requestWithPointAttribute(varintField(2, 1)),
      /KeyValue field 2 has wire type 0, expected 2/,
    );
  });

  void it('rejects a fixed64 timestamp cut short by its message end', () => {
    const point = concat(tag(3, 1), Uint8Array.of(1, 2, 3));
    assertDecodeError(
      request({}, [metric('m', gaugeData([point]))]),
      /truncated 64-bit value in NumberDataPoint/,
    );
  });

  void it('rejects a 10 000-level kvlist attribute with OtlpDecodeError, not a stack overflow', () => {
    assertDecodeError(requestWithPointAttribute(deeplyNestedKeyValue(10_000)), /nested deeper than 8 levels/);
  });

  void it('accepts attribute values nested exactly maxAttributeDepth levels and rejects one more', () => {
    // deeplyNestedKeyValue(n) has n kvlists around a string: n + 1 AnyValue levels.
    assert.ok(!(decodeOrDecodeError(requestWithPointAttribute(deeplyNestedKeyValue(7))) instanceof Error));
    assertDecodeError(requestWithPointAttribute(deeplyNestedKeyValue(8)), /nested deeper than 8 levels/);
    const shallow: DecodeOptions = { wants: () => true, maxAttributeDepth: 2 };
    assert.ok(
      !(decodeOrDecodeError(requestWithPointAttribute(deeplyNestedKeyValue(1)), shallow) instanceof Error),
    );
    assertDecodeError(requestWithPointAttribute(deeplyNestedKeyValue(2)), /deeper than 2 levels/, shallow);
  });

  void it('rejects invalid UTF-8 in a metric name, an attribute key and an attribute value', () => {
    const invalid = [
      Uint8Array.of(0x6d, 0xff),
      Uint8Array.of(0xc0, 0x80), // overlong NUL
      Uint8Array.of(0xed, 0xa0, 0x80), // UTF-16 surrogate
      Uint8Array.of(0xe2, 0x82), // truncated sequence
    ];
    for (const bytes of invalid) {
      assertDecodeError(
        request({}, [concat(lenField(1, bytes), gaugeData([]))]),
        /invalid UTF-8 in Metric.name/,
      );
      assertDecodeError(
        requestWithPointAttribute(concat(lenField(1, bytes), lenField(2, anyValue.string('v')))),
        /invalid UTF-8 in KeyValue.key/,
      );
      assertDecodeError(
        request({}, [
          metric('m', gaugeData([numberPoint({ asInt: 1n, attributes: { k: lenField(1, bytes) } })])),
        ]),
        /invalid UTF-8 in AnyValue.string_value/,
      );
    }
  });

  void it('rejects more data points than maxPoints and accepts exactly maxPoints', () => {
    const points = Array.from({ length: 11 }, () => numberPoint({ asInt: 1n }));
    const body = request({}, [
      metric('a', sumData(points.slice(0, 6))),
      metric('b', gaugeData(points.slice(6))),
    ]);
    assert.throws(() => decodeMetricsProtobuf(body, { wants: () => true, maxPoints: 10 }), {
      name: 'OtlpDecodeError',
      message: 'too many data points in one request (limit 10)',
    });
    const decoded = decodeOrDecodeError(body, { wants: () => true, maxPoints: 11 });
    assert.ok(!(decoded instanceof Error) && pointCount(decoded) === 11);
  });

  void it('does not count points of unwanted metrics against maxPoints', () => {
    const points = Array.from({ length: 20 }, () => numberPoint({ asInt: 1n }));
    const decoded = decodeMetricsProtobuf(request({}, [metric('unwanted', gaugeData(points))]), {
      wants: () => false,
      maxPoints: 5,
    });
    assert.equal(decoded.ignoredPointCount, 20);
  });

  void it('rejects invalid options with a RangeError, as a programming error', () => {
    assert.throws(
      () => decodeMetricsProtobuf(new Uint8Array(0), { wants: () => true, maxPoints: -1 }),
      RangeError,
    );
    assert.throws(
      () => decodeMetricsProtobuf(new Uint8Array(0), { wants: () => true, maxAttributeDepth: 0 }),
      RangeError,
    );
  });

  void it('does not validate the bytes of data it skips unread', () => {
    const badPoint = numberPoint({ asInt: 1n, attributes: { k: lenField(1, Uint8Array.of(0xff)) } });
    const body = request({}, [metric('unwanted', gaugeData([badPoint]))]);
    assert.equal(decodeMetricsProtobuf(body, { wants: () => false }).ignoredPointCount, 1);
    assert.throws(() => decodeMetricsProtobuf(body, everything), OtlpDecodeError);
    const histogramWithBadName = request({}, [
      concat(lenField(1, Uint8Array.of(0xff)), lenField(9, lenField(1))),
    ]);
    assert.equal(decodeMetricsProtobuf(histogramWithBadName, everything).ignoredPointCount, 1);
  });
});
