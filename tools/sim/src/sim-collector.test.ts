import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alloyConfigGraph, otelConfigGraph, type ConfigGraph } from '@linkmesh/pipelines/config-graph';
import { renderAlloyConfig } from '@linkmesh/pipelines/render-alloy';
import type { ResolvedRoute } from '@linkmesh/pipelines/render-input';
import { renderOtelConfig } from '@linkmesh/pipelines/render-otel';
import {
  collectorId,
  exampleProcessors,
  exampleSources,
  route,
  selfTelemetry,
  typed,
  uuid,
} from '@linkmesh/pipelines/testing/fixtures';
import { currentRate } from '../../../apps/server/src/domain/telemetry/counter-rates.ts';
import { wantsMetric } from '../../../apps/server/src/domain/telemetry/self-metric-names.ts';
import {
  translateSelfMetrics,
  type ComponentSample,
} from '../../../apps/server/src/domain/telemetry/self-metrics.translator.ts';
import type { ComponentView } from '../../../apps/server/src/domain/telemetry/throughput.query.ts';
import { joinRates } from '../../../apps/server/src/domain/topology/topology-rates.ts';
import { decodeMetricsProtobuf } from '../../../apps/server/src/protocols/otlp/otlp-protobuf.decoder.ts';
import { SimCollector, type SimCollectorOptions } from './sim-collector.ts';
import { counterName, simPipelineFromConfig, type Flavor, type SimPipeline } from './sim-pipeline.ts';

const startMs = Date.UTC(2026, 11, 1, 12);
const stepMs = 30_000;

const otlpSource = typed(1, 'otlp', {});
const fileSource = typed(4, 'filelog', exampleSources.filelog);
const promSource = typed(5, 'prometheus', exampleSources.prometheus);
const vendor = typed(3, 'otlphttp', { endpoint: 'https://vendor.example' });
const debug = typed(2, 'debug', {});

/** otlp → memory_limiter → filter → batch → (otlphttp, debug); filelog → sampler → otlphttp. */
const twoRoutes: ResolvedRoute[] = [
  route(10, otlpSource, [vendor, debug], {
    id: uuid(20),
    name: 'chain',
    processors: [
      { type: 'memory_limiter', config: {} },
      { type: 'filter', config: exampleProcessors.filter },
      { type: 'batch', config: {} },
    ],
  }),
  route(11, fileSource, [vendor], {
    id: uuid(21),
    name: 'sampled',
    processors: [{ type: 'probabilistic_sampler', config: exampleProcessors.probabilistic_sampler }],
  }),
];

function rendered(flavor: Flavor, routes: readonly ResolvedRoute[]): string {
  const input = { collector: { id: collectorId, runtime: flavor }, selfTelemetry, routes };
  const result = flavor === 'alloy' ? renderAlloyConfig(input) : renderOtelConfig(input);
  assert.ok(result.ok, JSON.stringify(result));
  return result.text;
}

function delivered(
  flavor: Flavor,
  routes: readonly ResolvedRoute[],
): { graph: ConfigGraph; pipeline: SimPipeline } {
  const text = rendered(flavor, routes);
  const pipeline = simPipelineFromConfig(text, flavor);
  assert.ok(pipeline);
  return { graph: flavor === 'alloy' ? alloyConfigGraph(text) : otelConfigGraph(text), pipeline };
}

const options = (flavor: Flavor, overrides: Partial<SimCollectorOptions> = {}): SimCollectorOptions => ({
  baseItemsPerSec: 1000,
  failingExporter: false,
  restartProbability: 0,
  withoutPrefix: false,
  flavor,
  instanceId: 'a5b7c0de-0000-4000-8000-000000000001',
  hostName: 'sim-unit',
  seed: 7,
  ...overrides,
});

/** What the server makes of one push: its decoder, then its translator. */
function translate(body: Buffer): ComponentSample[] {
  return translateSelfMetrics(decodeMetricsProtobuf(body, { wants: wantsMetric }).resources).components;
}

/** Two pushes `stepMs` apart, read as the topology reads them: one view per series, current rates. */
function views(sim: SimCollector, fromMs: number): ComponentView[] {
  sim.advance(fromMs);
  const first = translate(sim.encode(fromMs));
  sim.advance(fromMs + stepMs);
  const second = translate(sim.encode(fromMs + stepMs));
  return second.map((next): ComponentView => {
    const prev = first.find(
      (s) => s.kind === next.kind && s.componentId === next.componentId && s.signal === next.signal,
    );
    const rate = prev ? currentRate([prev, next]) : undefined;
    return {
      kind: next.kind,
      componentId: next.componentId,
      signal: next.signal,
      recordsPerSec: rate?.recordsPerSec ?? null,
      errorsPerSec: rate?.errorsPerSec ?? null,
      incomingPerSec: rate?.incomingPerSec ?? null,
      droppedPerSec: rate?.droppedPerSec ?? null,
      queueSize: next.counters.queueSize ?? null,
      queueCapacity: next.counters.queueCapacity ?? null,
      sparkline: [],
      errorSparkline: [],
      samples: prev ? 2 : 1,
      restartsInWindow: 0,
      lastSampleAtMs: next.timeUnixMs,
    };
  });
}

const idOf = (pipeline: SimPipeline, prefix: string): string => {
  const found = pipeline.components.find((c) => c.id.startsWith(prefix));
  assert.ok(found, `${prefix} in ${pipeline.components.map((c) => c.id).join(', ')}`);
  return found.id;
};

/** Sum of a receiver's accepted items of one signal over its transports. */
const accepted = (sim: SimCollector, id: string, suffix: 'spans' | 'log_records') => {
  const receiver = sim.pipeline.components.find((c) => c.id === id);
  assert.ok(receiver);
  return receiver.transports.reduce((n, t) => n + sim.counter(id, counterName.accepted(suffix, t.name)), 0);
};

describe('graph-driven traffic model', () => {
  it('runs the components of the delivered config, plus LinkMesh’s own; the outage exporter is an operator’s', () => {
    for (const flavor of ['otelcol', 'alloy'] as const) {
      const { graph, pipeline } = delivered(flavor, twoRoutes);
      const own = pipeline.components.filter((c) => c.internal).map((c) => c.id);
      assert.deepEqual(
        pipeline.components.filter((c) => !c.internal).map((c) => c.id),
        graph.nodes.map((n) => n.componentId),
      );
      assert.deepEqual(
        own,
        flavor === 'alloy'
          ? ['otelcol.receiver.prometheus.linkmesh', 'otelcol.exporter.otlphttp.linkmesh']
          : ['hostmetrics/linkmesh', 'otlphttp/linkmesh'],
      );
      assert.match(pipeline.outageExporter ?? '', /otlphttp[./]dst_/);
    }
  });

  it('flows records along the edges: each step takes what its upstream passed on, filter and sampler drop a share', () => {
    const { pipeline } = delivered('otelcol', twoRoutes);
    const sim = new SimCollector(options('otelcol'), startMs, pipeline);
    sim.advance(startMs + stepMs);
    const otlp = idOf(pipeline, 'otlp/src_');
    const filelog = idOf(pipeline, 'filelog/src_');
    const [limiter, filter, batch, sampler] = [
      'memory_limiter/',
      'filter/',
      'batch/',
      'probabilistic_sampler/',
    ].map((prefix) => idOf(pipeline, prefix)) as [string, string, string, string];
    const vendorId = idOf(pipeline, 'otlphttp/dst_');
    const debugId = idOf(pipeline, 'debug/dst_');
    const count = (id: string, name: string) => sim.counter(id, name);
    // Counters are whole items, each floored on its own: equal flows agree within a few items.
    const close = (actual: number, expected: number, what: string) =>
      assert.ok(Math.abs(actual - expected) <= 3, `${what}: ${actual} vs ${expected}`);

    assert.ok(accepted(sim, otlp, 'log_records') > 10_000, 'a busy OTLP source over 30 s');
    close(count(limiter, counterName.incoming('logs')), accepted(sim, otlp, 'log_records'), 'step 1 in');
    close(
      count(filter, counterName.incoming('logs')),
      count(limiter, counterName.outgoing('logs')),
      'step 2 in',
    );
    close(
      count(batch, counterName.incoming('logs')),
      count(filter, counterName.outgoing('logs')),
      'step 3 in',
    );
    close(count(sampler, counterName.incoming('logs')), accepted(sim, filelog, 'log_records'), 'sampler in');
    close(
      count(vendorId, counterName.sent('log_records')),
      count(batch, counterName.outgoing('logs')) + count(sampler, counterName.outgoing('logs')),
      'both routes into one destination',
    );
    close(
      count(debugId, counterName.sent('log_records')),
      count(batch, counterName.outgoing('logs')),
      'debug',
    );
    close(count(debugId, counterName.sent('spans')), count(batch, counterName.outgoing('traces')), 'traces');

    const kept = (id: string) =>
      count(id, counterName.outgoing('logs')) / count(id, counterName.incoming('logs'));
    assert.ok(kept(filter) > 0.7 && kept(filter) < 0.95, `filter keeps ${kept(filter)}`);
    assert.ok(kept(sampler) > 0.05 && kept(sampler) < 0.5, `sampler keeps ${kept(sampler)}`);
    assert.ok(kept(batch) === 1, 'batch drops nothing');
    assert.equal(count(filelog, counterName.accepted('spans', '')), 0, 'a file tail carries logs only');
    assert.equal(count(vendorId, counterName.sendFailed('log_records')), 0, 'healthy: nothing fails');
  });

  for (const flavor of ['otelcol', 'alloy'] as const) {
    it(`pushes ${flavor} series the server's translator reads, landing on every drawn node with a rate`, () => {
      const { graph, pipeline } = delivered(flavor, twoRoutes);
      const sim = new SimCollector(options(flavor), startMs, pipeline);
      const { nodes, unclaimed } = joinRates(graph, views(sim, startMs + stepMs), { name: () => undefined });
      assert.equal(nodes.length, graph.nodes.length);
      for (const node of nodes) {
        assert.ok((node.recordsPerSec ?? 0) > 0, `${node.kind} ${node.componentId}: ${node.recordsPerSec}`);
        assert.ok(!node.flags.includes('no_data'), node.componentId);
      }
      const step = (type: string) => nodes.find((n) => n.kind === 'processor' && n.type.endsWith(type));
      // In → out shows the drop (current collectors have no `dropped` counter, only incoming/outgoing).
      const filterStep = step('filter');
      assert.ok((filterStep?.incomingPerSec ?? 0) > 1.05 * (filterStep?.recordsPerSec ?? Infinity));
      const batchStep = step('batch');
      assert.ok(
        Math.abs((batchStep?.incomingPerSec ?? 0) - (batchStep?.recordsPerSec ?? 0)) < 1,
        'batch drops none',
      );
      const destination = nodes.find((n) => n.kind === 'destination' && n.componentId.includes('otlphttp'));
      assert.ok(destination);
      assert.equal(destination.queueSize, 0);
      assert.ok((destination.queueCapacity ?? 0) > 0, 'queue capacity reported');
      // Only LinkMesh's own components are left over: they are internal, never drawn.
      assert.deepEqual(
        [...new Set(unclaimed.map((v) => v.componentId))].sort(),
        pipeline.components
          .filter((c) => c.internal)
          .map((c) => c.id)
          .sort(),
      );
    });
  }

  it('reports nothing for Alloy helper components; the otelcol receiver behind a scrape reports for its source', () => {
    const routes = [route(12, promSource, [vendor])];
    const { graph, pipeline } = delivered('alloy', routes);
    // The config graph folds the scrape into the source it feeds: it is not a component to run.
    assert.ok(!pipeline.components.some((c) => c.id.startsWith('prometheus.scrape.src_')));
    const receiver = idOf(pipeline, 'otelcol.receiver.prometheus.src_');
    const sim = new SimCollector(options('alloy'), startMs, pipeline);
    const series = views(sim, startMs + stepMs);
    assert.ok(
      !series.some((v) => v.componentId.startsWith('prometheus.')),
      'a scrape has no otelcol_* series',
    );
    assert.ok(series.some((v) => v.kind === 'receiver' && v.componentId === receiver));
    const { nodes } = joinRates(graph, series, { name: () => undefined });
    const source = nodes.find((n) => n.componentId === receiver);
    assert.equal(source?.kind, 'source', 'drawn as one source named by its otelcol receiver');
    assert.ok((source.recordsPerSec ?? 0) > 0, 'the drawn source gets the receiver’s rate');
  });

  it('switches to a newly delivered config: left components stop, new ones start at 0, kept ones continue', () => {
    const before = delivered('otelcol', [twoRoutes[0]!]).pipeline;
    const after = delivered('otelcol', [route(10, otlpSource, [vendor]), twoRoutes[1]!]).pipeline;
    const sim = new SimCollector(options('otelcol'), startMs, before);
    sim.advance(startMs + stepMs);
    const otlp = idOf(before, 'otlp/src_');
    const debugId = idOf(before, 'debug/dst_');
    const vendorId = idOf(before, 'otlphttp/dst_');
    const vendorBefore = sim.counter(vendorId, counterName.sent('spans'));
    const otlpBefore = accepted(sim, otlp, 'spans');

    sim.use(after);
    sim.advance(startMs + 2 * stepMs);
    const pushed = new Set(translate(sim.encode(startMs + 2 * stepMs)).map((s) => s.componentId));
    assert.ok(!pushed.has(debugId), 'the destination that left is no longer pushed');
    assert.ok(!pushed.has(idOf(before, 'memory_limiter/')), 'nor the steps of the old pipeline');
    const filelog = idOf(after, 'filelog/src_');
    assert.ok(pushed.has(filelog) && pushed.has(idOf(after, 'probabilistic_sampler/')));
    assert.ok(accepted(sim, otlp, 'spans') > otlpBefore, 'a kept receiver counts on');
    assert.ok(sim.counter(vendorId, counterName.sent('spans')) > vendorBefore, 'a kept exporter counts on');
    // One step's worth since the reload: a new component started from 0.
    assert.ok(accepted(sim, filelog, 'log_records') < accepted(sim, otlp, 'log_records'));
  });

  it('an outage of the operator’s exporter fails sends, fills its queue and back-pressures the receivers feeding it', () => {
    const { pipeline } = delivered('otelcol', twoRoutes);
    const sim = new SimCollector(options('otelcol', { failingExporter: true, seed: 3 }), startMs, pipeline);
    const vendorId = pipeline.outageExporter;
    assert.ok(vendorId);
    let atMs = startMs;
    for (let i = 0; i < 200 && sim.counter(vendorId, counterName.sendFailed('spans')) === 0; i++) {
      atMs += stepMs;
      sim.advance(atMs);
    }
    assert.ok(sim.counter(vendorId, counterName.sendFailed('spans')) > 0, 'send_failed rises');
    assert.ok(sim.queueSizeOf(vendorId) > 0, 'the queue fills');
    for (let i = 0; i < 40; i++) sim.advance((atMs += stepMs));
    const refused = (id: string) => signalsRefused(sim, pipeline, id).reduce((a, b) => a + b, 0);
    assert.ok(refused(idOf(pipeline, 'otlp/src_')) > 0, 'back-pressure reaches the OTLP source');
    assert.equal(refused('hostmetrics/linkmesh'), 0, 'LinkMesh’s own pipeline is not behind it');
    assert.equal(sim.counter(idOf(pipeline, 'debug/dst_'), counterName.sendFailed('spans')), 0);
  });

  it('a restart resets every counter', () => {
    const { pipeline } = delivered('otelcol', twoRoutes);
    const sim = new SimCollector(options('otelcol'), startMs, pipeline);
    sim.advance(startMs + stepMs);
    assert.ok(accepted(sim, idOf(pipeline, 'otlp/src_'), 'spans') > 0);
    const restarting = new SimCollector(options('otelcol', { restartProbability: 1 }), startMs, pipeline);
    restarting.advance(startMs + stepMs);
    assert.equal(restarting.restarts, 1);
    assert.equal(accepted(restarting, idOf(pipeline, 'otlp/src_'), 'spans'), 0);
  });

  it('runs a default until a delivered config parses, loads one at its next step, and keeps it past one that does not', () => {
    assert.equal(simPipelineFromConfig('receivers: [unclosed', 'otelcol'), undefined);
    assert.equal(simPipelineFromConfig('otelcol.receiver.otlp "x" {', 'alloy'), undefined);
    const alloy = new SimCollector(options('alloy'), startMs);
    assert.ok(alloy.reportingComponentIds.includes('otelcol.receiver.otlp.default'));

    const sim = new SimCollector(options('otelcol'), startMs);
    assert.ok(sim.reportingComponentIds.includes('otlphttp/backend'), sim.reportingComponentIds.join(','));
    sim.deliver('receivers: [unclosed');
    sim.advance(startMs + stepMs);
    assert.ok(sim.reportingComponentIds.includes('otlphttp/backend'), 'nothing parsed: the default stays');
    const text = rendered('otelcol', twoRoutes);
    sim.deliver(text);
    assert.ok(
      sim.reportingComponentIds.includes('otlphttp/backend'),
      'loaded at the next step, not on delivery',
    );
    sim.advance(startMs + 2 * stepMs);
    const routed = simPipelineFromConfig(text, 'otelcol')?.components.map((c) => c.id);
    assert.deepEqual(sim.reportingComponentIds, routed);
    sim.deliver('{{{');
    sim.advance(startMs + 3 * stepMs);
    assert.deepEqual(sim.reportingComponentIds, routed, 'a config that does not parse changes nothing');
  });
});

/** Refused items of a receiver, per signal it carries, over its transports. */
function signalsRefused(sim: SimCollector, pipeline: SimPipeline, id: string): number[] {
  const receiver = pipeline.components.find((c) => c.id === id);
  assert.ok(receiver);
  return (['spans', 'metric_points', 'log_records'] as const).map((suffix) =>
    receiver.transports.reduce((n, t) => n + sim.counter(id, counterName.refused(suffix, t.name)), 0),
  );
}
