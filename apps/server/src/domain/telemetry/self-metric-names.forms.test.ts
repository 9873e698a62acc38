import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyMetricName } from './self-metric-names.ts';
import { selfMetricNameForms } from './self-metric-names.forms.ts';

describe('every self-metric name form in the data table classifies as documented', () => {
  for (const form of selfMetricNameForms) {
    it(`${form.origin} (${form.rule})`, () => {
      for (const example of form.examples) {
        const result = classifyMetricName(example.name);
        if ('host' in example) {
          assert.deepEqual(result, { type: 'host', metric: example.host }, example.name);
          continue;
        }
        assert.ok(result?.type === 'component', `${example.name}: ${JSON.stringify(result)}`);
        assert.equal(result.kind, example.kind, example.name);
        assert.equal(result.counter, example.counter, example.name);
        assert.equal(result.signal, example.signal, example.name);
      }
    });
  }

  it('does not strip unit suffixes from component counters or unknown names', () => {
    assert.equal(classifyMetricName('otelcol_receiver_accepted_spans_seconds'), undefined);
    assert.equal(classifyMetricName('otelcol_http_server_duration_seconds'), undefined);
  });
});
