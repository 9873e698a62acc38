import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { destinationLabel, routeStepLabel, sourceLabel } from '@linkmesh/pipelines/component-ids';
import type { ComponentView } from '../telemetry/throughput.query.ts';
import { otelConfigGraph } from '@linkmesh/pipelines/config-graph';
import { joinRates, matchKey } from './topology-rates.ts';

const src = sourceLabel('s1');
const step = routeStepLabel('r1', 1);
const dst = destinationLabel('d1');
const yaml = `service:
  pipelines:
    logs/rt_x7231:
      receivers: [otlp/${src}]
      processors: [batch/${step}]
      exporters: [otlphttp/${dst}]
`;

const view = (
  kind: ComponentView['kind'],
  componentId: string,
  rates: Partial<ComponentView>,
): ComponentView => ({
  kind,
  componentId,
  signal: 'logs',
  recordsPerSec: null,
  errorsPerSec: null,
  incomingPerSec: null,
  droppedPerSec: null,
  queueSize: null,
  queueCapacity: null,
  sparkline: [1, null],
  errorSparkline: [0, null],
  samples: 2,
  restartsInWindow: 0,
  lastSampleAtMs: 0,
  ...rates,
});

describe('topology rates', () => {
  it('puts each series on its node, with drop % on steps, queue fill on destinations and flags', () => {
    const { nodes, edges, unclaimed } = joinRates(
      otelConfigGraph(yaml),
      [
        view('receiver', `otlp/${src}`, { recordsPerSec: 100, errorsPerSec: 0 }),
        view('processor', `batch/${step}`, {
          recordsPerSec: 90,
          incomingPerSec: 100,
          droppedPerSec: 10,
          errorsPerSec: 0,
        }),
        // The Alloy form of the same destination still lands on it.
        view('exporter', `otlphttp/otelcol.exporter.otlphttp.${dst}`, {
          recordsPerSec: 85,
          errorsPerSec: 5,
          queueSize: 900,
          queueCapacity: 1000,
        }),
        view('exporter', 'otlphttp/gone', { recordsPerSec: 3 }),
      ],
      { name: () => undefined },
    );
    const byType = new Map(nodes.map((n) => [n.type, n]));
    assert.equal(byType.get('otlp')?.recordsPerSec, 100);
    assert.equal(byType.get('batch')?.dropPercent, 10);
    assert.deepEqual(
      [byType.get('otlphttp')?.queueSize, byType.get('otlphttp')?.flags],
      [900, ['errors', 'backpressure']],
    );
    assert.deepEqual(
      edges.map((e) => [e.from.split('/')[0], e.to.split('/')[0], e.recordsPerSec, e.errorsPerSec]),
      [
        ['batch', 'otlphttp', 85, 5],
        ['otlp', 'batch', 100, null],
      ],
    );
    assert.deepEqual(
      unclaimed.map((u) => u.componentId),
      ['otlphttp/gone'],
      'a series no node claims is orphan throughput',
    );
  });

  it('gives each of two routes into one destination what its own step passed on, not the exporter total', () => {
    const step2 = routeStepLabel('r2', 1);
    const twoRoutes = `${yaml}    logs/rt_x7232:
      receivers: [otlp/${src}]
      processors: [filter/${step2}]
      exporters: [otlphttp/${dst}]
`;
    const { edges, nodes } = joinRates(
      otelConfigGraph(twoRoutes),
      [
        view('processor', `batch/${step}`, { recordsPerSec: 90, incomingPerSec: 100 }),
        view('processor', `filter/${step2}`, { recordsPerSec: 30, incomingPerSec: 100 }),
        view('exporter', `otlphttp/${dst}`, { recordsPerSec: 120, errorsPerSec: 0 }),
      ],
      { name: () => undefined },
    );
    const into = edges
      .filter((e) => e.to === `otlphttp/${dst}`)
      .map((e) => [e.from.split('/')[0], e.recordsPerSec]);
    assert.deepEqual(into.sort(), [
      ['batch', 90],
      ['filter', 30],
    ]);
    assert.equal(
      nodes.find((n) => n.type === 'filter')?.dropPercent,
      70,
      'incoming − outgoing without a dropped counter',
    );
    assert.equal(nodes.find((n) => n.type === 'otlphttp')?.recordsPerSec, 120);
  });

  it('marks a node without numbers no_data, and keys the forms of one id alike', () => {
    const { nodes } = joinRates(otelConfigGraph(yaml), [], { name: () => undefined });
    assert.ok(nodes.every((n) => n.flags.includes('no_data')));
    assert.equal(
      matchKey('destination', `otlphttp/${dst}`),
      matchKey('destination', `otelcol.exporter.otlphttp.${dst}`),
    );
  });
});
