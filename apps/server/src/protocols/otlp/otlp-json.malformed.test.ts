import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeMetricsJson } from './otlp-json.decoder.ts';
import { OtlpDecodeError } from './otlp-decode.common.ts';
import type { DecodeOptions } from './otlp-decode.common.ts';
import { gaugeRequest, gaugeRequestObject, T0_NS_TEXT as T0_NS } from './testing/otlp-json.ts';

const everything: DecodeOptions = { wants: () => true };

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

/** Every key path the decoder reads, relative to a gaugeRequestObject with one data point. */
const KNOWN_PATHS: readonly (readonly (string | number)[])[] = [
  [],
  ['resourceMetrics'],
  ['resourceMetrics', 0],
  ['resourceMetrics', 0, 'resource'],
  ['resourceMetrics', 0, 'resource', 'attributes'],
  ['resourceMetrics', 0, 'resource', 'attributes', 0],
  ['resourceMetrics', 0, 'resource', 'attributes', 0, 'key'],
  ['resourceMetrics', 0, 'resource', 'attributes', 0, 'value'],
  ['resourceMetrics', 0, 'resource', 'attributes', 0, 'value', 'kvlistValue'],
  ['resourceMetrics', 0, 'resource', 'attributes', 0, 'value', 'arrayValue'],
  ['resourceMetrics', 0, 'resource', 'attributes', 0, 'value', 'intValue'],
  ['resourceMetrics', 0, 'resource', 'attributes', 0, 'value', 'doubleValue'],
  ['resourceMetrics', 0, 'resource', 'attributes', 0, 'value', 'bytesValue'],
  ['resourceMetrics', 0, 'scopeMetrics'],
  ['resourceMetrics', 0, 'scopeMetrics', 0],
  ['resourceMetrics', 0, 'scopeMetrics', 0, 'metrics'],
  ['resourceMetrics', 0, 'scopeMetrics', 0, 'metrics', 0],
  ['resourceMetrics', 0, 'scopeMetrics', 0, 'metrics', 0, 'name'],
  ['resourceMetrics', 0, 'scopeMetrics', 0, 'metrics', 0, 'gauge'],
  ['resourceMetrics', 0, 'scopeMetrics', 0, 'metrics', 0, 'sum'],
  ['resourceMetrics', 0, 'scopeMetrics', 0, 'metrics', 0, 'histogram'],
  ['resourceMetrics', 0, 'scopeMetrics', 0, 'metrics', 0, 'gauge', 'dataPoints'],
  ['resourceMetrics', 0, 'scopeMetrics', 0, 'metrics', 0, 'gauge', 'dataPoints', 0],
  ...['attributes', 'startTimeUnixNano', 'timeUnixNano', 'asInt', 'asDouble', 'flags'].map((key) => [
    'resourceMetrics',
    0,
    'scopeMetrics',
    0,
    'metrics',
    0,
    'gauge',
    'dataPoints',
    0,
    key,
  ]),
];

/** Returns a copy of `root` with `value` stored at `path` (the root itself for an empty path). */
function withValueAt(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    if (typeof child !== 'object' || child === null) return copy;
    node = child as Record<string | number, unknown>;
  }
  node[path[path.length - 1]!] = value;
  return copy;
}

void describe('decodeMetricsJson on malformed input', () => {
  void it('throws only OtlpDecodeError for arbitrary JSON at every key it reads', () => {
    const template = gaugeRequestObject([
      { timeUnixNano: T0_NS, asInt: 1, attributes: [{ key: 'k', value: { stringValue: 'v' } }] },
    ]);
    fc.assert(
      fc.property(fc.constantFrom(...KNOWN_PATHS), fc.jsonValue({ maxDepth: 4 }), (path, value) => {
        try {
          decodeMetricsJson(JSON.stringify(withValueAt(template, path, value)), everything);
        } catch (error) {
          if (!(error instanceof OtlpDecodeError)) throw error;
        }
      }),
      { numRuns: 3000 },
    );
  });

  void it('throws only OtlpDecodeError for arbitrary text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        try {
          decodeMetricsJson(text, everything);
        } catch (error) {
          if (!(error instanceof OtlpDecodeError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });

  void it('rejects text that is not JSON', () => {
    assertJsonError('{"resourceMetrics": [', /^invalid JSON: /);
    assertJsonError('', /^invalid JSON: /);
  });

  void it('rejects a root that is not an object', () => {
    assertJsonError('[]', '$: expected an object, got an array');
    assertJsonError('null', '$: expected an object, got null');
    assertJsonError('42', '$: expected an object, got 42');
  });

  void it('rejects wrong types at known keys with the JSON path', () => {
    assertJsonError('{"resourceMetrics":{}}', '$.resourceMetrics: expected an array, got an object');
    assertJsonError('{"resourceMetrics":[1]}', '$.resourceMetrics[0]: expected an object');
    assertJsonError(
      '{"resourceMetrics":[{"resource":{"attributes":[{"key":7}]}}]}',
      '$.resourceMetrics[0].resource.attributes[0].key: expected a string, got 7',
    );
    assertJsonError(
      gaugeRequest([], 5),
      '$.resourceMetrics[0].scopeMetrics[0].metrics[0].name: expected a string, got 5',
    );
    assertJsonError(
      gaugeRequest([{ timeUnixNano: { n: 1 }, asInt: 1 }]),
      '$.resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[0].timeUnixNano: invalid value an object',
    );
    assertJsonError(
      gaugeRequest([{}, { timeUnixNano: T0_NS, asInt: '12abc' }]),
      '$.resourceMetrics[0].scopeMetrics[0].metrics[0].gauge.dataPoints[1].asInt: invalid value "12abc"',
    );
    assertJsonError(
      gaugeRequest([
        { timeUnixNano: T0_NS, asInt: 1, attributes: [{ key: 'k', value: { boolValue: 'yes' } }] },
      ]),
      /dataPoints\[0\]\.attributes\[0\]\.value\.boolValue: expected a boolean, got "yes"$/,
    );
    assertJsonError(gaugeRequest([{ timeUnixNano: '-1', asInt: 1 }]), /timeUnixNano: invalid value "-1"$/);
    assertJsonError(
      gaugeRequest([{ timeUnixNano: '18446744073709551616', asInt: 1 }]),
      /timeUnixNano: invalid value/,
    );
    assertJsonError(gaugeRequest([{ timeUnixNano: T0_NS, asDouble: '' }]), /asDouble: invalid value ""$/);
    assertJsonError(gaugeRequest([{ timeUnixNano: T0_NS, asInt: 1.5 }]), /asInt: invalid value 1.5$/);
    assertJsonError(
      gaugeRequest([
        {
          timeUnixNano: T0_NS,
          asInt: 1,
          attributes: [{ key: 'k', value: { intValue: '9223372036854775808' } }],
        },
      ]),
      /intValue: invalid value "9223372036854775808"$/,
    );
  });

  void it('rejects two members of one oneof', () => {
    assertJsonError(
      gaugeRequest([{ timeUnixNano: T0_NS, asInt: 1, asDouble: 1 }]),
      /only one of asInt and asDouble/,
    );
    assertJsonError(
      '{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"gauge":{},"sum":{}}]}]}]}',
      '$.resourceMetrics[0].scopeMetrics[0].metrics[0].sum: only one of gauge and sum may be set',
    );
    assertJsonError(
      gaugeRequest([
        {
          timeUnixNano: T0_NS,
          asInt: 1,
          attributes: [{ key: 'k', value: { stringValue: 'a', intValue: 1 } }],
        },
      ]),
      /value\.intValue: only one of stringValue and intValue may be set$/,
    );
  });

  void it('rejects a 10 000-level kvlist attribute with OtlpDecodeError, not a stack overflow', () => {
    // Built as text: JSON.stringify of a 10 000-level object would itself overflow the stack.
    const levels = 10_000;
    const value =
      '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(levels) +
      '{"stringValue":"leaf"}' +
      '}]}}'.repeat(levels);
    const point = `{"timeUnixNano":"${T0_NS}","asInt":1,"attributes":[{"key":"k","value":${value}}]}`;
    const text = gaugeRequest([]).replace('"dataPoints":[]', `"dataPoints":[${point}]`);
    assertJsonError(text, /: attribute value nested deeper than 8 levels$/);
  });

  void it('rejects more data points than maxPoints', () => {
    const dataPoints = Array.from({ length: 4 }, () => ({ timeUnixNano: T0_NS, asInt: 1 }));
    assertJsonError(gaugeRequest(dataPoints), 'too many data points in one request (limit 3)', {
      wants: () => true,
      maxPoints: 3,
    });
  });
});
