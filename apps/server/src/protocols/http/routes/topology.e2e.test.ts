import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TopologyView } from '@linkmesh/contracts/topology-api';
import { destinationLabel, sourceLabel } from '@linkmesh/pipelines/component-ids';
import { alloyClient } from '../../../testing/alloy-client.ts';
import { startTestServer, type TestServer } from '../../../testing/server-harness.ts';

/**
 * `GET /collectors/{id}/topology` (issue #12 items 1–2, first part): the graph of what LinkMesh
 * rendered for a routed Alloy collector, named after the objects, every node without numbers
 * until self-telemetry arrives.
 */
describe('collector topology', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await t.close();
  });

  const post = async (path: string, json: unknown) => {
    const response = await t.api(path, { method: 'POST', json });
    assert.ok(response.ok, `${path}: ${response.status}`);
    return (await response.json()) as { id: string; token: string };
  };

  it('draws source → steps → destination from the rendered config, marked no_data before any push', async () => {
    const source = await post('/api/v1/sources', { name: 'app logs', type: 'otlp', config: {} });
    const destination = await post('/api/v1/destinations', { name: 'sink', type: 'debug', config: {} });
    const pipeline = await post('/api/v1/pipelines', {
      name: 'chain',
      processors: [{ type: 'batch', config: {} }],
    });
    const collector = await post('/api/v1/collectors', { name: 'edge', runtime: 'alloy' });
    await post('/api/v1/routes', {
      name: 'r',
      sourceId: source.id,
      pipelineId: pipeline.id,
      destinationIds: [destination.id],
      target: { collectorIds: [collector.id] },
    });
    const { token } = await post(`/api/v1/collectors/${collector.id}/token`, {});
    await alloyClient(t.url, token).getConfig({ id: 'edge', hash: '' });

    const response = await t.api(`/api/v1/collectors/${collector.id}/topology?window=15m`);
    assert.equal(response.status, 200);
    const view = (await response.json()) as TopologyView;
    assert.equal(view.source, 'rendered');
    assert.match(view.configHash ?? '', /^[0-9a-f]{64}$/);
    const byKind = (kind: string) => view.nodes.filter((n) => n.kind === kind);
    assert.deepEqual(
      byKind('source').map((n) => [n.componentId, n.objectId, n.name]),
      [[`otelcol.receiver.otlp.${sourceLabel(source.id)}`, source.id, 'app logs']],
    );
    assert.deepEqual(
      byKind('destination').map((n) => [n.componentId, n.name]),
      [[`otelcol.exporter.debug.${destinationLabel(destination.id)}`, 'sink']],
    );
    assert.deepEqual(
      byKind('processor').map((n) => n.name),
      ['chain: 1. batch'],
    );
    assert.ok(view.nodes.every((n) => n.flags.includes('no_data') && n.recordsPerSec === null));
    assert.ok(view.edges.length >= 2, JSON.stringify(view.edges));
    assert.equal((await t.api(`/api/v1/collectors/${collector.id}/topology?window=nope`)).status, 400);
  });
});
