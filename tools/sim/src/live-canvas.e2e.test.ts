import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TopologyView } from '@linkmesh/contracts/topology-api';
import { destinationLabel, sourceLabel } from '@linkmesh/pipelines/component-ids';
import { startTestServer, type TestServer } from '../../../apps/server/src/testing/server-harness.ts';
import { SimAlloyPoller } from './alloy-poller.ts';
import { provisionCollectors } from './fleet.ts';
import { SimOpampAgent } from './opamp-agent.ts';
import { whenEvent, type SimAgentEvents } from './sim-events.ts';
import type { EventEmitter } from 'node:events';

/**
 * Issue #12 item 7: against a server with a route, the simulated collectors push self-telemetry
 * for the components they were delivered, so the topology of each (an OpAMP otelcol and an
 * Alloy) shows rates on the rendered source, step and destination nodes.
 */
describe('simulator against a server with routes: a live canvas', () => {
  let t: TestServer;
  let agent: SimOpampAgent | undefined;
  let poller: SimAlloyPoller | undefined;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await agent?.stop();
    await poller?.stop();
    await t.close();
  });

  const post = async <T = { id: string }>(path: string, json: unknown): Promise<T> => {
    const response = await t.api(path, { method: 'POST', json });
    assert.ok(response.ok, `${path}: ${response.status} ${await response.clone().text()}`);
    return (await response.json()) as T;
  };

  /** Resolves after the second successful push that carried every one of `componentIds`. */
  const secondPushWith = (events: EventEmitter<SimAgentEvents>, componentIds: readonly string[]) => {
    let pushes = 0;
    return whenEvent(
      events,
      'push',
      (report) => report.ok && componentIds.every((id) => report.componentIds.includes(id)) && ++pushes === 2,
    );
  };

  it(
    'shows rates on the source, step and destination nodes of an otelcol and an Alloy collector',
    { timeout: 60_000 },
    async () => {
      const source = await post('/api/v1/sources', { name: 'app OTLP', type: 'otlp', config: {} });
      const destination = await post('/api/v1/destinations', {
        name: 'vendor',
        type: 'otlphttp',
        config: { endpoint: 'https://otlp.vendor.example' },
      });
      const pipeline = await post('/api/v1/pipelines', {
        name: 'chain',
        processors: [
          { type: 'memory_limiter', config: {} },
          { type: 'batch', config: {} },
        ],
      });
      const [alloy] = await provisionCollectors(t.url, t.adminToken, 1, {
        namePrefix: 'canvas-alloy',
        runtime: 'alloy',
      });
      assert.ok(alloy);

      const { token } = await post<{ token: string }>('/api/v1/enrollment-tokens', {});
      agent = new SimOpampAgent({
        url: `${t.url.replace(/^http/, 'ws')}/v1/opamp`,
        enrollmentToken: token,
        hostName: 'canvas-otelcol',
        heartbeatMs: 200,
        ownMetricsIntervalMs: 100,
        seed: 1,
      });
      const enrolled = whenEvent(agent.events, 'offer');
      await agent.start();
      await enrolled;
      const collectors = (
        (await (await t.api('/api/v1/collectors')).json()) as { items: Array<{ id: string; mode: string }> }
      ).items;
      const otelcol = collectors.find((c) => c.mode === 'opamp');
      assert.ok(otelcol, JSON.stringify(collectors));

      const src = sourceLabel(source.id);
      const dst = destinationLabel(destination.id);
      const otelPushed = secondPushWith(agent.events, [`otlp/${src}`, `otlphttp/${dst}`]);
      await post('/api/v1/routes', {
        name: 'live',
        sourceId: source.id,
        pipelineId: pipeline.id,
        destinationIds: [destination.id],
        target: { collectorIds: [otelcol.id, alloy.id] },
      });

      poller = new SimAlloyPoller({
        serverUrl: t.url,
        bearer: alloy.bearer,
        id: randomUUID(),
        name: 'canvas-alloy-0',
        hostName: 'canvas-alloy',
        attributes: { env: 'prod' },
        version: 'v1.11.3',
        pollMs: 50,
        failsToApply: false,
        telemetryIntervalMs: 100,
        restartProbability: 0,
        failingExporter: false,
        seed: 2,
      });
      const alloyPushed = secondPushWith(poller.events, [
        `otelcol.receiver.otlp.${src}`,
        `otelcol.exporter.otlphttp.${dst}`,
      ]);
      await poller.start();
      // The route's config is pushed to the OpAMP agent at once and served on the Alloy's first poll.
      await Promise.all([otelPushed, alloyPushed]);
      await t.server.flushTelemetry();

      for (const [collectorId, runtime] of [
        [otelcol.id, 'otelcol'],
        [alloy.id, 'alloy'],
      ] as const) {
        const response = await t.api(`/api/v1/collectors/${collectorId}/topology?window=15m`);
        assert.equal(response.status, 200);
        const view = (await response.json()) as TopologyView;
        assert.equal(view.source, 'rendered', runtime);
        const of = (kind: string) => view.nodes.filter((n) => n.kind === kind);
        assert.deepEqual(
          of('source').map((n) => n.objectId),
          [source.id],
          `${runtime}: the route's source is drawn`,
        );
        assert.deepEqual(
          of('processor')
            .map((n) => n.name)
            .sort(),
          ['chain: 1. memory_limiter', 'chain: 2. batch'],
          `${runtime}: both steps are drawn`,
        );
        assert.deepEqual(
          of('destination').map((n) => n.objectId),
          [destination.id],
        );
        for (const node of view.nodes) {
          assert.notEqual(node.recordsPerSec, null, `${runtime} ${node.kind} ${node.name}: a rate`);
          assert.ok(
            (node.recordsPerSec ?? 0) > 0,
            `${runtime} ${node.name}: ${node.recordsPerSec} records/s`,
          );
          assert.ok(!node.flags.includes('no_data'), `${runtime} ${node.name}: ${node.flags.join(',')}`);
        }
      }
    },
  );
});
