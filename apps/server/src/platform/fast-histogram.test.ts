import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import { FastHistogram } from './fast-histogram.ts';

test('exposes cumulative buckets, sum and count per label set in the Prometheus text format', async () => {
  const registry = new Registry();
  const histogram = new FastHistogram(
    'test_duration_seconds',
    'Test latency.',
    ['route'],
    [0.01, 0.1],
    registry,
  );
  const a = histogram.child(['/a']);
  a.observe(0.005);
  a.observe(0.01); // on the bound: counted in le="0.01"
  a.observe(0.05);
  a.observe(3);
  histogram.child(['/b']).observe(0.2);
  assert.equal(histogram.child(['/a']), a, 'one child per label set');
  const text = await registry.metrics();
  for (const line of [
    '# TYPE test_duration_seconds histogram',
    'test_duration_seconds_bucket{route="/a",le="0.01"} 2',
    'test_duration_seconds_bucket{route="/a",le="0.1"} 3',
    'test_duration_seconds_bucket{route="/a",le="+Inf"} 4',
    'test_duration_seconds_sum{route="/a"} 3.065',
    'test_duration_seconds_count{route="/a"} 4',
    'test_duration_seconds_bucket{route="/b",le="0.1"} 0',
    'test_duration_seconds_count{route="/b"} 1',
  ]) {
    assert.ok(text.includes(line), `missing ${line} in\n${text}`);
  }
});
