import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FleetTopologyView, TopologyView } from '@linkmesh/contracts/topology-api';
import { destinationLabel } from '@linkmesh/pipelines/component-ids';
import { alloyClient } from '../../../testing/alloy-client.ts';
import { SdkCollector } from '../../../testing/otel-sdk-collector.ts';
import { startTestServer, type TestServer } from '../../../testing/server-harness.ts';
import { openTopologyStream } from '../../../testing/topology-stream.ts';

/**
 * The fleet view (issue #12 item 3): collectors with their totals, the destinations their
 * routes share, what each collector sent to each, and a collector → collector link where an
 * edge collector's OTLP destination is a gateway collector's OTLP source.
 */
describe('fleet topology', () => {
  let t: TestServer;
  const sdks: SdkCollector[] = [];
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await Promise.all(sdks.map((s) => s.shutdown()));
    await t.close();
  });

  const api = async <T>(path: string, init?: RequestInit & { json?: unknown }): Promise<T> => {
    const response = await t.api(path, init);
    const text = await response.text();
    assert.ok(response.ok, `${init?.method ?? 'GET'} ${path}: ${response.status} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  const post = (path: string, json: unknown = {}) =>
    api<{ id: string; token: string }>(path, { method: 'POST', json });

  /** An Alloy collector with labels, polled once, and an SDK pushing as its self-telemetry. */
  const collector = async (name: string, tier: string, exporter: string) => {
    const { id } = await post('/api/v1/collectors', { name, runtime: 'alloy' });
    await api(`/api/v1/collectors/${id}/labels`, { method: 'PUT', json: { labels: { tier } } });
    const { token } = await post(`/api/v1/collectors/${id}/token`);
    await alloyClient(t.url, token).getConfig({ id: name, hash: '' });
    const sdk = new SdkCollector({
      url: `${t.url}/v1/metrics`,
      bearer: token,
      encoding: 'json',
      instanceId: name,
      alloyForm: true,
      components: { receiver: 'otelcol.receiver.otlp.x', processor: 'otelcol.processor.batch.x', exporter },
    });
    sdks.push(sdk);
    return { id, sdk };
  };

  it('draws collectors, shared destinations and gateway links with what each collector sent', async () => {
    const source = await post('/api/v1/sources', { name: 'apps', type: 'otlp', config: {} });
    const gatewayOtlp = await post('/api/v1/destinations', {
      name: 'gateway',
      type: 'otlp',
      config: { endpoint: 'gateway-1:4317' },
    });
    const vendor = await post('/api/v1/destinations', {
      name: 'vendor',
      type: 'otlphttp',
      config: { endpoint: 'https://otlp.vendor.example' },
    });
    const edgeGroup = await post('/api/v1/groups', {
      name: 'edge',
      matchers: [{ label: 'tier', op: '=', value: 'edge' }],
    });
    const gatewayGroup = await post('/api/v1/groups', {
      name: 'gateways',
      matchers: [{ label: 'tier', op: '=', value: 'gateway' }],
    });
    await post('/api/v1/routes', {
      name: 'edge to gateway',
      sourceId: source.id,
      destinationIds: [gatewayOtlp.id],
      target: { groupIds: [edgeGroup.id] },
    });
    await post('/api/v1/routes', {
      name: 'gateway to vendor',
      sourceId: source.id,
      destinationIds: [vendor.id],
      target: { groupIds: [gatewayGroup.id] },
    });
    const toGateway = `otelcol.exporter.otlp.${destinationLabel(gatewayOtlp.id)}`;
    const edgeA = await collector('edge-a', 'edge', toGateway);
    const edgeB = await collector('edge-b', 'edge', toGateway);
    const gateway = await collector(
      'gateway-1',
      'gateway',
      `otelcol.exporter.otlphttp.${destinationLabel(vendor.id)}`,
    );

    const stream = await openTopologyStream(t.url, '', t.adminToken, '/api/v1/topology/stream');
    try {
      const first = await stream.next(() => true);
      assert.equal(
        first.nodes.filter((n) => n.kind === 'collector').length,
        3,
        'the stream opens with the fleet',
      );
      for (const [index, { sdk }] of [edgeA, edgeB, gateway].entries()) {
        sdk.record({ accepted: 100, sent: 100 * (index + 1) });
        await sdk.push();
      }
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      for (const [index, { sdk }] of [edgeA, edgeB, gateway].entries()) {
        sdk.record({ accepted: 300, sent: 300 * (index + 1) });
        await sdk.push();
      }
      const live = (await stream.next((view) =>
        (view as unknown as FleetTopologyView).edges.some((e) => e.recordsPerSec !== null),
      )) as unknown as FleetTopologyView;
      assert.ok(live.edges.length >= 1, 'an update arrives on the fleet stream');
    } finally {
      stream.close();
    }

    const view = await api<FleetTopologyView>('/api/v1/topology');
    const sentPerSec = async (collectorId: string) =>
      (await api<TopologyView>(`/api/v1/collectors/${collectorId}/topology`)).nodes.find(
        (n) => n.kind === 'destination',
      )?.recordsPerSec;
    assert.deepEqual(view.nodes.map((n) => [n.kind, n.name]).sort(), [
      ['collector', 'edge-a'],
      ['collector', 'edge-b'],
      ['collector', 'gateway-1'],
      ['destination', 'vendor'],
    ]);
    const edge = (from: string, to: string) => view.edges.find((e) => e.from === from && e.to === to);
    for (const { id } of [edgeA, edgeB]) {
      const link = edge(`collector:${id}`, `collector:${gateway.id}`);
      assert.equal(link?.kind, 'forwards_to', 'gateway-1:4317 is the gateway collector’s OTLP source');
      const expected = await sentPerSec(id);
      assert.ok(typeof expected === 'number' && expected > 0);
      assert.ok(
        Math.abs((link.recordsPerSec ?? NaN) - expected) < 1e-6 * expected,
        `${link.recordsPerSec} ≠ ${expected}`,
      );
    }
    const toVendor = edge(`collector:${gateway.id}`, `destination:${vendor.id}`);
    assert.equal(toVendor?.kind, 'exports_to');
    assert.equal(
      view.nodes.find((n) => n.id === `destination:${vendor.id}`)?.recordsInPerSec,
      toVendor.recordsPerSec,
    );
    const gatewayNode = view.nodes.find((n) => n.id === `collector:${gateway.id}`);
    assert.ok((gatewayNode?.recordsOutPerSec ?? 0) > 0, 'collector totals come from the fleet list');
    assert.equal(view.truncated, false);

    // Limited to the edge group, the gateway is not drawn: its OTLP source is a plain destination.
    const edgeOnly = await api<FleetTopologyView>(`/api/v1/topology?group=${edgeGroup.id}`);
    assert.deepEqual(edgeOnly.nodes.map((n) => n.name).sort(), ['edge-a', 'edge-b', 'gateway']);
    assert.ok(
      edgeOnly.edges.every((e) => e.kind === 'exports_to' && e.to === `destination:${gatewayOtlp.id}`),
    );
    const limited = await api<FleetTopologyView>('/api/v1/topology?limit=1');
    assert.equal(limited.truncated, true);
    assert.equal(limited.nodes.filter((n) => n.kind === 'collector').length, 1);
    assert.equal((await t.api('/api/v1/topology?group=nope')).status, 404);
  });
});
