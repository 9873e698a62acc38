import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RemoteConfigStatuses as AlloyStatuses } from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import { diagnosisCodes, type DiagnosisCode, type TopologyView } from '@linkmesh/contracts/topology-api';
import { destinationLabel, routeStepLabel, sourceLabel } from '@linkmesh/pipelines/component-ids';
import { gaugeRequest } from '../../otlp/testing/otlp-json.ts';
import { alloyClient } from '../../../testing/alloy-client.ts';
import { startOpampClientAgent } from '../../../testing/opamp-client-agent.ts';
import { SdkCollector } from '../../../testing/otel-sdk-collector.ts';
import { startTestServer, type TestServer } from '../../../testing/server-harness.ts';

interface Route {
  id: string;
  source: string;
  destination: string;
}
interface Alloy {
  id: string;
  bearer: string;
  route: Route;
}

const refusedLine = 'otlp.auth: rejected reason=token_unknown_or_revoked_or_expired';

/**
 * Issue #12: every diagnosis code of the topology reached through a real flow — routes over the
 * API, Alloy pollers on remotecfg, an OpAMP agent, self-telemetry pushed by the OTel JS SDK or
 * as hand-written OTLP/JSON — and read back from `GET /api/v1/collectors/{id}/topology`.
 */
describe('topology diagnosis: every code through a real flow', () => {
  let t: TestServer;
  const sdks: SdkCollector[] = [];
  let stopAgent: (() => Promise<void>) | undefined;
  const reached = new Set<DiagnosisCode>();

  const api = async <T>(path: string, init?: RequestInit & { json?: unknown }): Promise<T> => {
    const response = await t.api(path, init);
    const text = await response.text();
    assert.ok(response.ok, `${init?.method ?? 'GET'} ${path}: ${response.status} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  const post = <T = { id: string }>(path: string, json: unknown = {}) =>
    api<T>(path, { method: 'POST', json });
  const mint = async (id: string) => (await post<{ token: string }>(`/api/v1/collectors/${id}/token`)).token;
  const events = async (id: string, type: string) =>
    (await api<{ items: Array<{ type: string; detail: string }> }>(`/api/v1/collectors/${id}/events`)).items
      .filter((e) => e.type === type)
      .map((e) => e.detail);
  /** The diagnosis, checked to be `code` (its message on failure); every code reached is noted. */
  const diagnosed = async (id: string, code: DiagnosisCode) => {
    const view = await api<TopologyView>(`/api/v1/collectors/${id}/topology?window=15m`);
    assert.equal(view.diagnosis.code, code, view.diagnosis.message);
    reached.add(code);
    return { view, ...view.diagnosis };
  };

  before(async () => {
    t = await startTestServer({
      start: { namingChecks: { checkIntervalMs: 60_000, recheckAfterMs: 300_000, graceMs: 0 } },
    });
  });
  after(async () => {
    await Promise.all(sdks.map((s) => s.shutdown()));
    await stopAgent?.();
    await t.close();
  });

  /** Source → batch step → destination, targeting one collector. */
  const newRoute = async (collectorId: string, name: string, ports = { grpc: 4317, http: 4318 }) => {
    const source = await post('/api/v1/sources', {
      name: `${name} in`,
      type: 'otlp',
      config: {
        grpc: { endpoint: `0.0.0.0:${ports.grpc}` },
        http: { endpoint: `0.0.0.0:${ports.http}` },
      },
    });
    const destination = await post('/api/v1/destinations', {
      name: `${name} out`,
      type: 'otlphttp',
      config: { endpoint: `https://${name}.vendor.example` },
    });
    const pipeline = await post('/api/v1/pipelines', {
      name: `${name} batched`,
      processors: [{ type: 'batch', config: {} }],
    });
    const route = await post('/api/v1/routes', {
      name,
      sourceId: source.id,
      pipelineId: pipeline.id,
      destinationIds: [destination.id],
      target: { collectorIds: [collectorId] },
    });
    return { id: route.id, source: source.id, destination: destination.id };
  };
  /** One remotecfg poll that applies what it is served, as Alloy does. */
  const poll = async (bearer: string, name: string) => {
    const served = await alloyClient(t.url, bearer).getConfig({ id: name, hash: '' });
    await alloyClient(t.url, bearer).getConfig({
      id: name,
      hash: served.hash,
      remoteConfigStatus: { status: AlloyStatuses.RemoteConfigStatuses_APPLIED, errorMessage: '' },
    });
    return served.content;
  };
  /** An Alloy collector with its bearer, a route to it, polled once: the canvas has a graph. */
  const routedAlloy = async (name: string): Promise<Alloy> => {
    const { id } = await post('/api/v1/collectors', { name, runtime: 'alloy' });
    const bearer = await mint(id);
    const route = await newRoute(id, name);
    await poll(bearer, name);
    return { id, bearer, route };
  };
  /** A collector process's self-telemetry, named after the route's rendered Alloy components. */
  const sdkOf = (alloy: Alloy) => {
    const sdk = new SdkCollector({
      url: `${t.url}/v1/metrics`,
      bearer: alloy.bearer,
      encoding: 'protobuf',
      alloyForm: true,
      components: {
        receiver: `otelcol.receiver.otlp.${sourceLabel(alloy.route.source)}`,
        processor: `otelcol.processor.batch.${routeStepLabel(alloy.route.id, 1)}`,
        exporter: `otelcol.exporter.otlphttp.${destinationLabel(alloy.route.destination)}`,
      },
    });
    sdks.push(sdk);
    return sdk;
  };
  /** A hand-written OTLP/JSON push of one gauge point taken now. */
  const pushGauge = (bearer: string, name: string, value: number, attributes: Record<string, string> = {}) =>
    fetch(`${t.url}/v1/metrics`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: gaugeRequest(
        [
          {
            timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
            asDouble: value,
            attributes: Object.entries(attributes).map(([key, v]) => ({ key, value: { stringValue: v } })),
          },
        ],
        name,
      ),
    });
  const secondApart = () => new Promise((resolve) => setTimeout(resolve, 1_100));

  it('no_pipelines: an Alloy collector no route targets, polled once', async () => {
    const { id } = await post('/api/v1/collectors', { name: 'unrouted', runtime: 'alloy' });
    const served = await poll(await mint(id), 'unrouted');
    assert.match(served, /prometheus\.exporter\.self/, 'it is served LinkMesh’s own self-telemetry only');
    const { view, numbers, nextStep } = await diagnosed(id, 'no_pipelines');
    assert.deepEqual(view.nodes, []);
    assert.equal(numbers, 'none');
    assert.match(nextStep ?? '', /Create a route that targets this collector/);
  });

  it('no_own_metrics_offer: an OpAMP agent without ReportsOwnMetrics, routed', async () => {
    const { token } = await post<{ token: string }>('/api/v1/enrollment-tokens');
    const agent = startOpampClientAgent({ url: t.url, enrollmentToken: token, hostname: 'no-offer-agent' });
    stopAgent = () => agent.shutdown();
    await agent.firstConfig; // the server sends its first config once the collector record exists
    const { items } = await api<{ items: Array<{ id: string; hostname: string | null }> }>(
      '/api/v1/collectors',
    );
    const id = items.find((c) => c.hostname === 'no-offer-agent')?.id;
    assert.ok(id, 'the agent enrolled');
    await newRoute(id, 'agent');
    const { view, message, nextStep } = await diagnosed(id, 'no_own_metrics_offer');
    assert.equal(view.nodes.length, 3);
    assert.deepEqual(await events(id, 'own_metrics_offered'), []);
    assert.match(message, /ReportsOwnMetrics capability/);
    assert.match(nextStep ?? '', /^Re-enrol it/);
  });

  it('no_push_received: never pushed; then refused with a revoked bearer, one event an hour', async () => {
    const alloy = await routedAlloy('silent');
    const never = await diagnosed(alloy.id, 'no_push_received');
    assert.match(never.message, /^No self-telemetry push from this collector has ever reached the server/);
    assert.match(never.nextStep ?? '', /journalctl -u alloy/);
    assert.equal(never.lastAuthRejection, null);

    const fresh = await mint(alloy.id); // revokes the bearer it polled with
    assert.notEqual(fresh, alloy.bearer);
    const refused = await pushGauge(alloy.bearer, 'app_queue_depth', 1);
    assert.equal(refused.status, 401);
    assert.ok(
      t.logs.some((line) => line.includes(`"msg":"${refusedLine}"`)),
      'the server logs the refusal',
    );
    // The event is written off the request path: read until it is there.
    for (let reads = 0; (await events(alloy.id, 'telemetry_rejected')).length === 0; reads++) {
      assert.ok(reads < 500, 'a telemetry_rejected event');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal((await pushGauge(alloy.bearer, 'app_queue_depth', 2)).status, 401);
    assert.deepEqual(await events(alloy.id, 'telemetry_rejected'), [refusedLine], 'one event per hour');

    const { message, nextStep, lastAuthRejection } = await diagnosed(alloy.id, 'no_push_received');
    assert.equal(lastAuthRejection?.reason, refusedLine);
    assert.ok(!Number.isNaN(Date.parse(lastAuthRejection.at)));
    assert.ok(message.includes(`was refused: ${refusedLine} (${lastAuthRejection.at})`), message);
    assert.match(nextStep ?? '', /^Re-enrol the collector to mint a fresh bearer/);
  });

  it('no_component_metrics: pushes of an unrelated gauge only', async () => {
    const alloy = await routedAlloy('unrelated');
    assert.equal((await pushGauge(alloy.bearer, 'app_queue_depth', 7)).status, 200);
    const { numbers, message, nextStep } = await diagnosed(alloy.id, 'no_component_metrics');
    assert.equal(numbers, 'none');
    assert.match(message, /neither component metrics .* nor host metrics/);
    assert.match(nextStep ?? '', /prometheus\.exporter\.self and prometheus\.scrape/);
  });

  it('pipeline_idle: host metrics only', async () => {
    const alloy = await routedAlloy('idle');
    const push = await pushGauge(alloy.bearer, 'system.memory.utilization', 0.4, { state: 'used' });
    assert.equal(push.status, 200);
    const { numbers, message, nextStep } = await diagnosed(alloy.id, 'pipeline_idle');
    assert.equal(numbers, 'none');
    assert.match(message, /^Host metrics arrive but no component metrics/);
    assert.match(nextStep ?? '', /^Push some test data through the collector’s pipeline/);
  });

  it('pipeline_idle: two routes, traffic through one of them', async () => {
    const alloy = await routedAlloy('busy');
    const quiet = await newRoute(alloy.id, 'quiet', { grpc: 14317, http: 14318 });
    await poll(alloy.bearer, 'busy');
    const sdk = sdkOf(alloy);
    sdk.record({ accepted: 100 });
    await sdk.push();
    await secondApart();
    sdk.record({ accepted: 200 });
    await sdk.push();
    const { view, numbers, message } = await diagnosed(alloy.id, 'pipeline_idle');
    assert.equal(numbers, 'some');
    const silent = view.nodes.filter((n) => n.recordsPerSec === null);
    assert.deepEqual(
      silent.map((n) => n.objectId ?? n.routeId).sort(),
      [quiet.source, quiet.id, quiet.destination].sort(),
      'the quiet route’s source, step and destination',
    );
    assert.equal(view.nodes.length, 6);
    assert.match(message, /^3 of 6 elements have no numbers/);
  });

  it('one_sample_only, then naming_mismatch: one push, then one naming a component the config lacks', async () => {
    const alloy = await routedAlloy('fresh');
    const sdk = sdkOf(alloy);
    sdk.record({ accepted: 40 });
    await sdk.push();
    const once = await diagnosed(alloy.id, 'one_sample_only');
    assert.equal(once.numbers, 'none');
    assert.equal(once.nextStep, 'Wait for the next push (about 30 s).');

    sdk.recordOther('receiver', 'otelcol.receiver.otlp.hand_edit', 5);
    await sdk.push();
    const { mismatches, nextStep } = await diagnosed(alloy.id, 'naming_mismatch');
    assert.deepEqual(mismatches, [
      { detail: 'unknown component', kind: 'receiver', componentId: 'otelcol.receiver.otlp.hand_edit' },
    ]);
    assert.match(nextStep ?? '', /restart the collector/);
  });

  it('ok, then counters_reset: two pushes a second apart, then a restarted process pushes once', async () => {
    const alloy = await routedAlloy('restarting');
    const before = sdkOf(alloy);
    before.record({ accepted: 100 });
    await before.push();
    await secondApart();
    before.record({ accepted: 300 });
    await before.push();
    const flowing = await diagnosed(alloy.id, 'ok');
    assert.equal(flowing.numbers, 'all');
    assert.equal(flowing.nextStep, null);

    await before.shutdown();
    const restarted = sdkOf(alloy); // a new process: counters from zero, a new start time
    restarted.record({ accepted: 10 });
    await restarted.push();
    const { view, numbers, message } = await diagnosed(alloy.id, 'counters_reset');
    assert.equal(numbers, 'none');
    assert.ok(
      view.nodes.every((n) => n.recordsPerSec === null),
      'no rate across the restart, no spike',
    );
    assert.match(message, /^Counters reset in this window \(the collector restarted\)/);
    assert.equal((await events(alloy.id, 'restarted')).length, 1);
  });

  it('reaches every code', () => {
    assert.deepEqual([...reached].sort(), [...diagnosisCodes].sort());
  });
});
