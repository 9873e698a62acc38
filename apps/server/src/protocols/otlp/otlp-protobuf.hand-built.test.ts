import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DecodedMetrics, MetricPoint } from '../../domain/telemetry/metric-point.ts';
import { decodeMetricsProtobuf } from './otlp-protobuf.decoder.ts';
import {
  anyValue,
  gaugeData,
  metric,
  numberPoint,
  request,
  sumData,
  T0_MS,
  T0_NS,
} from './testing/otlp-bytes.ts';
import {
  concat,
  fixed32Field,
  fixed64Field,
  lenField,
  packedDoubles,
  packedFixed64,
  stringField,
  varintField,
} from './testing/proto-writer.ts';

const everything = { wants: (): boolean => true };

function onlyPoints(decoded: DecodedMetrics): readonly MetricPoint[] {
  assert.equal(decoded.resources.length, 1);
  return decoded.resources[0]!.points;
}

void describe('decodeMetricsProtobuf on hand-built requests', () => {
  const decodeOne = (metrics: readonly Uint8Array[]): DecodedMetrics =>
    decodeMetricsProtobuf(request({ 'service.name': anyValue.string('otelcol') }, metrics), everything);

  void it('treats an empty body as an empty request', () => {
    assert.deepEqual(decodeMetricsProtobuf(new Uint8Array(0), everything), {
      resources: [],
      ignoredPointCount: 0,
      rejectedPointCount: 0,
      rejectionMessages: [],
    });
  });

  void it('decodes negative as_int values, including ones needing the high word', () => {
    const points = onlyPoints(
      decodeOne([
        metric(
          'g',
          gaugeData([
            numberPoint({ asInt: -5n }),
            numberPoint({ asInt: -(2n ** 40n) - 3n }),
            numberPoint({ asInt: 2n ** 52n + 1n }),
          ]),
        ),
      ]),
    );
    assert.deepEqual(
      points.map((point) => point.value),
      [-5, -(2 ** 40) - 3, 2 ** 52 + 1],
    );
  });

  void it('decodes as_double values', () => {
    const points = onlyPoints(
      decodeOne([
        metric('g', gaugeData([1.5, -0.25, 1e300, 0].map((asDouble) => numberPoint({ asDouble })))),
      ]),
    );
    assert.deepEqual(
      points.map((point) => point.value),
      [1.5, -0.25, 1e300, 0],
    );
  });

  void it('converts fixed64 nanoseconds to whole milliseconds exactly', () => {
    const points = onlyPoints(
      decodeOne([
        metric(
          's',
          sumData([
            numberPoint({ asInt: 1n, startNs: 999_999n, timeNs: T0_NS }),
            numberPoint({ asInt: 1n, startNs: 1_767_225_600_123_999_999n, timeNs: 2n ** 64n - 1n }),
          ]),
        ),
      ]),
    );
    assert.deepEqual(
      points.map((point) => [point.startTimeUnixMs, point.timeUnixMs]),
      [
        [0, T0_MS],
        [1_767_225_600_123, 18_446_744_073_709],
      ],
    );
  });

  void it('reads delta temporality and non-monotonicity written after the data points', () => {
    const [point] = onlyPoints(decodeOne([metric('s', sumData([numberPoint({ asInt: 7n })], 1, false))]));
    assert.deepEqual([point?.kind, point?.temporality, point?.monotonic], ['sum', 1, false]);
  });

  void it('finds the metric name when it follows the data', () => {
    const reordered = concat(sumData([numberPoint({ asInt: 1n })]), stringField(1, 'late_name'));
    const [point] = onlyPoints(decodeOne([reordered]));
    assert.equal(point?.name, 'late_name');
  });

  void it('skips unknown fields of every wire type at every level', () => {
    const unknown = (field: number): Uint8Array =>
      concat(
        varintField(field, 2n ** 63n),
        fixed64Field(field + 1, 7n),
        lenField(field + 2, stringField(1, 'ignored')),
        fixed32Field(field + 3, 9),
      );
    const point = numberPoint({
      asInt: 11n,
      attributes: { 'k.v': concat(anyValue.string('v'), unknown(20)) },
      extra: unknown(100),
    });
    const sum = lenField(7, lenField(1, point), varintField(2, 2), varintField(3, 1), unknown(30));
    const scopeMetrics = concat(lenField(2, concat(stringField(1, 'm'), sum, unknown(40))), unknown(50));
    const resource = concat(
      lenField(1, concat(stringField(1, 'k'), lenField(2, anyValue.string('v')))),
      unknown(60),
    );
    const resourceMetrics = concat(lenField(1, resource), lenField(2, scopeMetrics), unknown(70));
    const body = concat(lenField(1, resourceMetrics), unknown(80), varintField(1_000_000, 1));
    const decoded = decodeMetricsProtobuf(body, everything);
    assert.deepEqual(decoded.resources, [
      {
        resourceAttributes: { k: 'v' },
        points: [
          {
            name: 'm',
            kind: 'sum',
            monotonic: true,
            temporality: 2,
            startTimeUnixMs: 0,
            timeUnixMs: T0_MS,
            value: 11,
            attributes: { 'k.v': 'v' },
          },
        ],
      },
    ]);
  });

  void it('skips a histogram by length, with packed or unpacked bucket counts, counting its points', () => {
    const packed = concat(
      fixed64Field(3, T0_NS),
      fixed64Field(4, 10n),
      lenField(6, packedFixed64([3n, 5n, 2n])),
      lenField(7, packedDoubles([0, 10])),
    );
    const unpacked = concat(
      fixed64Field(3, T0_NS),
      fixed64Field(6, 3n),
      fixed64Field(6, 5n),
      fixed64Field(6, 2n),
    );
    const histogram = lenField(9, lenField(1, packed), lenField(1, unpacked), varintField(2, 2));
    const decoded = decodeOne([metric('otelcol_processor_batch_batch_send_size', histogram)]);
    assert.equal(decoded.ignoredPointCount, 2);
    assert.deepEqual(onlyPoints(decoded), []);
  });

  void it('counts exponential histogram and summary points as ignored', () => {
    const decoded = decodeOne([
      metric('e', lenField(10, lenField(1, fixed64Field(3, T0_NS)), varintField(2, 1))),
      metric('q', lenField(11, lenField(1, fixed64Field(3, T0_NS)), lenField(1), lenField(1))),
    ]);
    assert.equal(decoded.ignoredPointCount, 4);
  });

  void it('skips NO_RECORDED_VALUE points and points without a value, without rejecting them', () => {
    const decoded = decodeOne([
      metric(
        'g',
        gaugeData([
          numberPoint({ asInt: 3n, flags: 1 }),
          numberPoint({ asDouble: Number.NaN, flags: 1 }),
          numberPoint({}),
          numberPoint({ asInt: 4n, flags: 2 }),
        ]),
      ),
    ]);
    assert.deepEqual(
      onlyPoints(decoded).map((point) => point.value),
      [4],
    );
    assert.equal(decoded.rejectedPointCount, 0);
  });

  void it('rejects NaN, infinite and timeless points with a reason, keeping the others', () => {
    const decoded = decodeOne([
      metric(
        'otelcol_process_uptime',
        sumData([
          numberPoint({ asDouble: Number.NaN }),
          numberPoint({ asDouble: Number.POSITIVE_INFINITY }),
          numberPoint({ asDouble: Number.NEGATIVE_INFINITY }),
          numberPoint({ asDouble: 1, timeNs: 0n }),
          numberPoint({ asDouble: 2 }),
        ]),
      ),
    ]);
    assert.deepEqual(
      onlyPoints(decoded).map((point) => point.value),
      [2],
    );
    assert.equal(decoded.rejectedPointCount, 4);
    assert.deepEqual(decoded.rejectionMessages, [
      'metric "otelcol_process_uptime": value is NaN',
      'metric "otelcol_process_uptime": value is +Infinity',
      'metric "otelcol_process_uptime": value is -Infinity',
      'metric "otelcol_process_uptime": missing time_unix_nano',
    ]);
  });

  void it('keeps only the first five rejection messages but counts every rejection', () => {
    const nanPoints = Array.from({ length: 8 }, () => numberPoint({ asDouble: Number.NaN }));
    const decoded = decodeOne([metric('g', gaugeData(nanPoints))]);
    assert.equal(decoded.rejectedPointCount, 8);
    assert.equal(decoded.rejectionMessages.length, 5);
  });

  void it('renders bytes as base64 and kvlists and nested arrays as JSON text', () => {
    const point = numberPoint({
      asInt: 1n,
      attributes: {
        bytes: anyValue.bytes(Uint8Array.from([0, 1, 2, 250])),
        kvlist: anyValue.kvlist(
          ['s', anyValue.string('x"y')],
          ['n', anyValue.int(-1n)],
          ['d', anyValue.double(Number.NaN)],
          ['none', new Uint8Array(0)],
        ),
        nested: anyValue.array(
          anyValue.array(anyValue.bool(false)),
          anyValue.double(0.5),
          anyValue.bytes(Uint8Array.of(255)),
        ),
        double: anyValue.double(-2.5e-7),
        empty: new Uint8Array(0),
      },
    });
    const [decoded] = onlyPoints(decodeOne([metric('g', gaugeData([point]))]));
    assert.deepEqual(decoded?.attributes, {
      bytes: 'AAEC+g==',
      kvlist: '{"s":"x\\"y","n":-1,"d":"NaN","none":null}',
      nested: '[[false],0.5,"/w=="]',
      double: '-2.5e-7',
      empty: '',
    });
  });

  void it('decodes multi-byte UTF-8 and keeps a __proto__ attribute key as data', () => {
    const point = numberPoint({
      asInt: 1n,
      attributes: { 'host.name': anyValue.string('zürich-🌍'), ['__proto__']: anyValue.string('p') },
    });
    const [decoded] = onlyPoints(decodeOne([metric('größe', gaugeData([point]))]));
    assert.equal(decoded?.name, 'größe');
    assert.equal(decoded.attributes['host.name'], 'zürich-🌍');
    assert.equal(Object.getOwnPropertyDescriptor(decoded.attributes, '__proto__')?.value, 'p');
    assert.equal(Object.getPrototypeOf(decoded.attributes), Object.prototype);
  });

  void it('keeps one ResourcePoints per ResourceMetrics, in order', () => {
    const body = concat(
      request({ 'service.instance.id': anyValue.string('a') }, [
        metric('g', gaugeData([numberPoint({ asInt: 1n })])),
      ]),
      request({ 'service.instance.id': anyValue.string('b') }, [
        metric('g', gaugeData([numberPoint({ asInt: 2n })])),
      ]),
    );
    const decoded = decodeMetricsProtobuf(body, everything);
    assert.deepEqual(
      decoded.resources.map((resource) => [
        resource.resourceAttributes['service.instance.id'],
        resource.points[0]?.value,
      ]),
      [
        ['a', 1],
        ['b', 2],
      ],
    );
  });
});
