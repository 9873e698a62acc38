import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DecodedMetrics, MetricPoint } from '../../domain/telemetry/metric-point.ts';
import { decodeMetricsJson } from './otlp-json.decoder.ts';
import { OtlpDecodeError } from './otlp-decode.common.ts';
import type { DecodeOptions } from './otlp-decode.common.ts';
import { decodeMetricsProtobuf } from './otlp-protobuf.decoder.ts';
import {
  collectorSelfTelemetry,
  encodeOtlpJson,
  encodeOtlpProtobuf,
  expectedResourcePoints,
} from './testing/collector-telemetry.fixture.ts';
import { gaugeRequest, T0_MS, T0_NS_TEXT as T0_NS } from './testing/otlp-json.ts';

const everything: DecodeOptions = { wants: () => true };

function points(decoded: DecodedMetrics): readonly MetricPoint[] {
  return decoded.resources.flatMap((resource) => resource.points);
}

function assertJsonError(text: string, message: string | RegExp, options: DecodeOptions = everything): void {
  assert.throws(
    () => decodeMetricsJson(text, options),
    (error: unknown) => {
      assert.ok(error instanceof OtlpDecodeError, `expected OtlpDecodeError, got ${String(error)}`);
      if (typeof message === 'string') assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    },
  );
}

void describe('decodeMetricsJson on requests from the real OTLP/JSON encoder', () => {
  void it('decodes every Sum and Gauge point of collector self-telemetry exactly', () => {
    const resourceMetrics = collectorSelfTelemetry();
    const decoded = decodeMetricsJson(encodeOtlpJson(resourceMetrics), everything);
    const expected = expectedResourcePoints(resourceMetrics);
    assert.deepEqual(decoded.resources, [expected.resource]);
    assert.equal(decoded.ignoredPointCount, 2);
    assert.equal(decoded.rejectedPointCount, 0);
  });

  void it('yields the same result as the protobuf decoder for the same request', () => {
    const resourceMetrics = collectorSelfTelemetry({ tick: 3 });
    const wants = (name: string): boolean => !name.includes('process');
    const protobuf = encodeOtlpProtobuf(resourceMetrics);
    assert.deepEqual(
      decodeMetricsJson(encodeOtlpJson(resourceMetrics), { wants }),
      decodeMetricsProtobuf(protobuf, { wants }),
    );
  });
});

void describe('decodeMetricsJson on hand-written requests', () => {
  void it('accepts int64 fields as strings or numbers', () => {
    const decoded = decodeMetricsJson(
      gaugeRequest([
        { timeUnixNano: T0_NS, startTimeUnixNano: 1_000_000, asInt: '-42' },
        { timeUnixNano: Number(T0_NS), asInt: 7 },
        { timeUnixNano: T0_NS, asInt: '9007199254740993' },
      ]),
      everything,
    );
    assert.deepEqual(
      points(decoded).map((point) => [point.startTimeUnixMs, point.timeUnixMs, point.value]),
      [
        [1, T0_MS, -42],
        [0, T0_MS, 7],
        [0, T0_MS, 9_007_199_254_740_992],
      ],
    );
  });

  void it('accepts asDouble as a number, a decimal string or a special string', () => {
    const decoded = decodeMetricsJson(
      gaugeRequest([
        { timeUnixNano: T0_NS, asDouble: 1.5 },
        { timeUnixNano: T0_NS, asDouble: '-2.5e3' },
        { timeUnixNano: T0_NS, asDouble: 'Infinity' },
        { timeUnixNano: T0_NS, asDouble: '-Infinity' },
        { timeUnixNano: T0_NS, asDouble: 'NaN' },
      ]),
      everything,
    );
    assert.deepEqual(
      points(decoded).map((point) => point.value),
      [1.5, -2500],
    );
    assert.equal(decoded.rejectedPointCount, 3);
    assert.deepEqual(decoded.rejectionMessages, [
      'metric "otelcol_exporter_queue_size": value is +Infinity',
      'metric "otelcol_exporter_queue_size": value is -Infinity',
      'metric "otelcol_exporter_queue_size": value is NaN',
    ]);
  });

  void it('skips points without a value or flagged NO_RECORDED_VALUE and rejects points without a time', () => {
    const decoded = decodeMetricsJson(
      gaugeRequest([
        { timeUnixNano: T0_NS },
        { timeUnixNano: T0_NS, asInt: '1', flags: 1 },
        { asInt: '2' },
        { timeUnixNano: T0_NS, asInt: null, asDouble: 3 },
      ]),
      everything,
    );
    assert.deepEqual(
      points(decoded).map((point) => point.value),
      [3],
    );
    assert.equal(decoded.rejectedPointCount, 1);
    assert.deepEqual(decoded.rejectionMessages, [
      'metric "otelcol_exporter_queue_size": missing time_unix_nano',
    ]);
  });

  void it('reads sum temporality as an integer or an enum name and monotonicity as a boolean', () => {
    const sum = (aggregationTemporality: unknown): string =>
      JSON.stringify({
        resourceMetrics: [
          {
            scopeMetrics: [
              {
                metrics: [
                  {
                    name: 'otelcol_receiver_accepted_spans',
                    sum: {
                      aggregationTemporality,
                      isMonotonic: true,
                      dataPoints: [{ timeUnixNano: T0_NS, asInt: 1 }],
                    },
                  },
                ],
              },
            ],
          },
        ],
      });
    const temporality = (value: unknown): unknown =>
      points(decodeMetricsJson(sum(value), everything))[0]?.temporality;
    assert.equal(temporality(1), 1);
    assert.equal(temporality(2), 2);
    assert.equal(temporality(7), 0, 'unknown enum values are unspecified');
    assert.equal(temporality('AGGREGATION_TEMPORALITY_DELTA'), 1);
    assert.equal(points(decodeMetricsJson(sum(2), everything))[0]?.monotonic, true);
    assertJsonError(sum('cumulative'), /\.sum\.aggregationTemporality: invalid value "cumulative"$/);
  });

  void it('renders attribute values like the protobuf decoder', () => {
    const attributes = [
      { key: 's', value: { stringValue: 'x' } },
      { key: 'b', value: { boolValue: false } },
      { key: 'i', value: { intValue: '-9223372036854775808' } },
      { key: 'n', value: { intValue: 12 } },
      { key: 'd', value: { doubleValue: 0.25 } },
      { key: 'inf', value: { doubleValue: 'Infinity' } },
      { key: 'bytes', value: { bytesValue: 'AAEC-g==' } },
      {
        key: 'list',
        value: {
          arrayValue: { values: [{ stringValue: 'a' }, { doubleValue: 'NaN' }, {}, { boolValue: true }] },
        },
      },
      {
        key: 'map',
        value: {
          kvlistValue: { values: [{ key: 'k', value: { kvlistValue: { values: [] } } }, { key: 'none' }] },
        },
      },
      { key: 'unset', value: {} },
      { key: 'absent' },
      { key: '__proto__', value: { stringValue: 'p' } },
    ];
    const [point] = points(
      decodeMetricsJson(gaugeRequest([{ timeUnixNano: T0_NS, asInt: 1, attributes }]), everything),
    );
    assert.deepEqual(point?.attributes, {
      s: 'x',
      b: 'false',
      i: '-9223372036854775808',
      n: '12',
      d: '0.25',
      inf: 'Infinity',
      bytes: 'AAEC+g==',
      list: '["a","NaN",null,true]',
      map: '{"k":{},"none":null}',
      unset: '',
      absent: '',
      ['__proto__']: 'p',
    });
    assert.equal(Object.getPrototypeOf(point.attributes), Object.prototype);
  });

  void it('ignores unknown keys, including snake_case spellings of known ones', () => {
    const text = JSON.stringify({
      resource_metrics: [{ scope_metrics: [] }],
      resourceMetrics: [
        {
          extra: { deeply: ['ignored'] },
          scopeMetrics: [
            {
              metrics: [
                {
                  name: 'g',
                  metadata: [],
                  gauge: {
                    dataPoints: [{ timeUnixNano: T0_NS, time_unix_nano: 'x', asInt: 5, exemplars: [{}] }],
                  },
                },
              ],
            },
          ],
        },
      ],
    });
    assert.deepEqual(
      points(decodeMetricsJson(text, everything)).map((point) => point.value),
      [5],
    );
  });

  void it('treats null as an absent field', () => {
    const text = JSON.stringify({
      resourceMetrics: [
        { resource: null, scopeMetrics: [{ metrics: [{ name: 'g', sum: null, gauge: null }] }] },
      ],
    });
    assert.deepEqual(decodeMetricsJson(text, everything).resources, [{ resourceAttributes: {}, points: [] }]);
    assert.deepEqual(decodeMetricsJson('{"resourceMetrics":null}', everything).resources, []);
  });

  void it('counts histogram, summary and unwanted points as ignored', () => {
    const text = JSON.stringify({
      resourceMetrics: [
        {
          scopeMetrics: [
            {
              metrics: [
                { name: 'h', histogram: { dataPoints: [{}, {}] } },
                { name: 'e', exponentialHistogram: { dataPoints: [{}] } },
                { name: 'q', summary: { dataPoints: [{}] } },
                { name: 'unwanted', gauge: { dataPoints: [{}, {}, {}] } },
              ],
            },
          ],
        },
      ],
    });
    assert.equal(decodeMetricsJson(text, { wants: (name) => name !== 'unwanted' }).ignoredPointCount, 7);
  });

  void it('accepts a leading byte-order mark', () => {
    assert.deepEqual(decodeMetricsJson('\ufeff{}', everything).resources, []);
  });
});
