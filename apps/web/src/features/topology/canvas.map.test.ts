import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  displayType,
  missingReason,
  queueOf,
  shapeKeyOf,
  sumSeries,
  toCanvasModel,
  toneOf,
} from './canvas.map.ts';
import { diagnosisView, edgeView, nodeView, routedView, topologyView } from './testing/topology-views.ts';

describe('toCanvasModel', () => {
  it('puts offered and matched on the edge from a source into a route’s first step', () => {
    const model = toCanvasModel(routedView());
    const intoRoute = model.edges.find((e) => e.id === 'src>step1');
    assert.deepEqual(intoRoute?.route, { offeredPerSec: 100, matchedPerSec: 40 });
    assert.equal(model.edges.find((e) => e.id === 'step1>step2')?.route, null);
  });

  it('merges the per-signal edges of one pair into one drawn edge with summed rates', () => {
    const view = topologyView({
      nodes: [nodeView({ id: 'a' }), nodeView({ id: 'b', kind: 'processor', routeId: 'r', stepIndex: 1 })],
      edges: [
        edgeView('a', 'b', { signal: 'logs', recordsPerSec: 3, sparkline: [1, null, 2] }),
        edgeView('a', 'b', { signal: 'traces', recordsPerSec: null, sparkline: [1, null, null] }),
        edgeView('a', 'b', { signal: 'metrics', recordsPerSec: 4, sparkline: [] }),
      ],
    });
    const [edge, ...others] = toCanvasModel(view).edges;
    assert.ok(edge);
    assert.equal(others.length, 0);
    assert.deepEqual(edge.signals, ['logs', 'traces', 'metrics']);
    assert.equal(edge.recordsPerSec, 7);
    assert.deepEqual(edge.sparkline, [2, null, 2]);
    assert.equal(edge.measuredAt, 'a');
  });

  it('draws what the upstream step passed on along an edge into a destination, not the destination’s total', () => {
    const view = routedView();
    // A second route into the same destination: the API repeats the destination's total on both edges.
    view.nodes.push(
      nodeView({ id: 'other', kind: 'processor', routeId: 'r2', stepIndex: 1, recordsPerSec: 7, flags: [] }),
    );
    view.edges.push(edgeView('other', 'dst', { recordsPerSec: 38, errorsPerSec: 2 }));
    const model = toCanvasModel(view);
    const intoDst = model.edges.filter((e) => e.to === 'dst');
    assert.deepEqual(
      intoDst.map((e) => [e.from, e.recordsPerSec, e.errorsPerSec, e.measuredAt]),
      [
        ['step2', 40, null, 'step2'],
        ['other', 7, null, 'other'],
      ],
    );
    assert.ok(
      intoDst.every((e) => e.tone === 'error'),
      'edges into a failing destination are tinted',
    );
  });

  it('computes the queue fill of destinations only', () => {
    const model = toCanvasModel(routedView());
    assert.deepEqual(model.nodes.find((n) => n.id === 'dst')?.queue, {
      size: 900,
      capacity: 1000,
      fraction: 0.9,
    });
    assert.equal(model.nodes.find((n) => n.id === 'src')?.queue, null);
  });

  it('tints an element red when its errors rise and amber when only its queue fills', () => {
    const model = toCanvasModel(routedView());
    assert.equal(model.nodes.find((n) => n.id === 'dst')?.tone, 'error');
    assert.equal(toneOf(['backpressure'], 0), 'warn');
    assert.equal(toneOf(['no_data'], null), 'idle');
    assert.equal(toneOf([], 0), 'ok');
  });

  it('says why a number is missing, from the diagnosis when the whole canvas lacks numbers', () => {
    const view = topologyView({
      nodes: [nodeView({ id: 'a' })],
      diagnosis: diagnosisView({ code: 'one_sample_only', numbers: 'none', message: '…' }),
    });
    assert.match(toCanvasModel(view).nodes[0]?.missing ?? '', /a rate needs two/);
    assert.equal(toCanvasModel(routedView()).nodes[0]?.missing, null);
  });

  it('keeps the shape key when only numbers change, and changes it when an element appears', () => {
    const before = toCanvasModel(routedView());
    const busier = routedView();
    busier.nodes = busier.nodes.map((n) => ({ ...n, recordsPerSec: (n.recordsPerSec ?? 0) * 2 }));
    assert.equal(toCanvasModel(busier).shapeKey, before.shapeKey);
    const grown = routedView();
    grown.nodes.push(nodeView({ id: 'dst2', kind: 'destination' }));
    assert.notEqual(toCanvasModel(grown).shapeKey, before.shapeKey);
  });

  it('draws a server answer without a diagnosis yet', () => {
    const { diagnosis: _omitted, ...rest } = topologyView({ nodes: [nodeView({ id: 'a' })] });
    const model = toCanvasModel(rest as never);
    assert.match(model.nodes[0]?.missing ?? '', /no self-telemetry for this component/);
  });
});

describe('missingReason', () => {
  it('names a restart before the generic reason', () => {
    assert.match(missingReason(['restarted', 'no_data'], null), /counters reset/);
    assert.match(missingReason(['no_data'], null), /no self-telemetry/);
  });

  it('uses the element’s own reason when some elements have numbers', () => {
    const some = diagnosisView({ code: 'naming_mismatch', numbers: 'some' });
    assert.match(missingReason(['no_data'], some), /no self-telemetry for this component/);
  });
});

describe('helpers', () => {
  it('names a type without the runtime family prefix', () => {
    assert.equal(displayType('otelcol.processor.memory_limiter'), 'memory_limiter');
    assert.equal(displayType('loki.write'), 'loki.write');
    assert.equal(displayType('otlphttp'), 'otlphttp');
  });

  it('sums series bucket-wise and keeps all-null buckets as gaps', () => {
    assert.deepEqual(
      sumSeries([
        [1, null],
        [null, null, 3],
      ]),
      [1, null, 3],
    );
  });

  it('has no queue fraction without a capacity', () => {
    assert.equal(queueOf(5, null).fraction, null);
    assert.equal(queueOf(5, 0).fraction, null);
    assert.equal(queueOf(15, 10).fraction, 1);
  });

  it('orders the shape key independently of the API’s order', () => {
    const a = { id: 'a', kind: 'source' as const };
    const b = { id: 'b', kind: 'destination' as const };
    assert.equal(shapeKeyOf([a, b], [{ from: 'a', to: 'b' }]), shapeKeyOf([b, a], [{ from: 'a', to: 'b' }]));
  });
});
