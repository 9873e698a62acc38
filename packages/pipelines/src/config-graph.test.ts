import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderAlloyConfig } from './render-alloy.ts';
import type { RenderInput } from './render-input.ts';
import { renderOtelConfig } from './render-otel.ts';
import {
  collectorId,
  debugDestination,
  exampleDestinations,
  exampleSources,
  otlpSource,
  route,
  selfTelemetry,
  typed,
  uuid,
} from './testing/fixtures.ts';
import { alloyConfigGraph, otelConfigGraph, type ConfigGraph } from './config-graph.ts';

/** otlp source → memory_limiter → batch → (otlphttp, debug): one route, every signal. */
const input = (runtime: 'otelcol' | 'alloy'): RenderInput => ({
  collector: { id: collectorId, runtime },
  selfTelemetry,
  routes: [
    route(10, otlpSource, [typed(3, 'otlphttp', { endpoint: 'https://vendor.example' }), debugDestination], {
      id: uuid(20),
      name: 'chain',
      processors: [
        { type: 'memory_limiter', config: {} },
        { type: 'batch', config: {} },
      ],
    }),
  ],
});

function rendered(runtime: 'otelcol' | 'alloy'): string {
  const result = runtime === 'otelcol' ? renderOtelConfig(input(runtime)) : renderAlloyConfig(input(runtime));
  assert.ok(result.ok, JSON.stringify(result));
  return result.text;
}

/** Each node as `kind:objectId(step)`, so both runtimes can be compared on what they map back to. */
const shape = (graph: ConfigGraph) =>
  graph.nodes.map((n) => {
    const p = n.parsed;
    const object = 'objectId' in p ? p.objectId : p.kind;
    return `${n.kind}:${object}${'stepIndex' in p ? `#${p.stepIndex}` : ''}`;
  });

describe('config graph', () => {
  it('draws source → step 1 → step 2 → destinations from rendered OTel YAML, LinkMesh’s own pipeline left out', () => {
    const graph = otelConfigGraph(rendered('otelcol'));
    assert.deepEqual(
      new Set(shape(graph)),
      new Set([
        `source:${uuid(1)}`,
        `processor:${uuid(10)}#1`,
        `processor:${uuid(10)}#2`,
        `destination:${uuid(3)}`,
        `destination:${uuid(2)}`,
      ]),
    );
    const byId = new Map(graph.nodes.map((n) => [n.componentId, n]));
    const logs = graph.edges
      .filter((e) => e.signal === 'logs')
      .map((e) => `${byId.get(e.from)?.type}>${byId.get(e.to)?.type}`);
    assert.deepEqual(logs.sort(), [
      'batch>debug',
      'batch>otlphttp',
      'memory_limiter>batch',
      'otlp>memory_limiter',
    ]);
    assert.ok(
      !graph.nodes.some((n) => n.componentId.includes('linkmesh')),
      'self-telemetry and host are internal',
    );
    assert.deepEqual(byId.get(graph.nodes.find((n) => n.kind === 'source')?.componentId ?? '')?.signals, [
      'traces',
      'metrics',
      'logs',
    ]);
  });

  it('draws the same objects from the Alloy rendering of the same route', () => {
    const graph = alloyConfigGraph(rendered('alloy'));
    assert.deepEqual(new Set(shape(graph)), new Set(shape(otelConfigGraph(rendered('otelcol')))));
    assert.ok(graph.edges.length >= 4 * 1, JSON.stringify(graph.edges));
  });

  it('draws an Alloy source or destination made of several components as one node, named by its otelcol component', () => {
    const bridged: RenderInput = {
      collector: { id: collectorId, runtime: 'alloy', version: '1.10.0' },
      selfTelemetry,
      routes: [
        route(10, typed(11, 'prometheus', exampleSources.prometheus), [debugDestination]),
        route(20, otlpSource, [typed(12, 'loki', exampleDestinations.loki)]),
      ],
    };
    const result = renderAlloyConfig(bridged);
    assert.ok(result.ok, JSON.stringify(result));
    const graph = alloyConfigGraph(result.text);
    const otel = renderOtelConfig({ ...bridged, collector: { id: collectorId, runtime: 'otelcol' } });
    assert.ok(otel.ok, JSON.stringify(otel));
    assert.deepEqual(
      shape(graph).sort(),
      shape(otelConfigGraph(otel.text)).sort(),
      'the same objects as the OTel rendering, no helper components',
    );
    const sources = graph.nodes.filter((n) => n.kind === 'source').map((n) => n.componentId);
    assert.ok(
      sources.some((id) => id.startsWith('otelcol.receiver.prometheus.src_')),
      sources.join(),
    );
    assert.ok(!graph.nodes.some((n) => /^(prometheus\.scrape|loki\.write)\./.test(n.componentId)));
    assert.ok(
      graph.edges.every((e) => e.from !== e.to && graph.nodes.some((n) => n.componentId === e.to)),
      JSON.stringify(graph.edges),
    );
  });

  it('reads a hand-written config too (names the scheme does not know come out unknown)', () => {
    const graph = otelConfigGraph(
      'receivers: {otlp: {}}\nexporters: {debug: {}}\nservice:\n  pipelines:\n    traces:\n      receivers: [otlp]\n      exporters: [debug]\n',
    );
    assert.deepEqual(
      graph.nodes.map((n) => [n.componentId, n.kind, n.parsed.kind]),
      [
        ['debug', 'destination', 'unknown'],
        ['otlp', 'source', 'unknown'],
      ],
    );
    assert.deepEqual(graph.edges, [{ from: 'otlp', to: 'debug', signal: 'traces' }]);
  });
});
