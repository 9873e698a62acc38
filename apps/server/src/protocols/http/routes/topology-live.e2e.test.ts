import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RemoteConfigStatuses as AlloyStatuses } from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import type {
  ThroughputChartView,
  TopologyNodeDetailView,
  TopologyNodeView,
  TopologyView,
} from '@linkmesh/contracts/topology-api';
import { destinationLabel, routeStepLabel, sourceLabel } from '@linkmesh/pipelines/component-ids';
import { alloyClient } from '../../../testing/alloy-client.ts';
import { startOpampClientAgent, type ReceivedConfig } from '../../../testing/opamp-client-agent.ts';
import { SdkCollector } from '../../../testing/otel-sdk-collector.ts';
import { startTestServer, type TestServer } from '../../../testing/server-harness.ts';
import { openTopologyStream, type TopologyStream } from '../../../testing/topology-stream.ts';

interface RawRow {
  kind: string;
  componentId: string;
  time: string;
  counters: Record<string, number>;
}

/**
 * The topology end to end (issue #12): one route delivered to a real OpAMP client and a Connect
 * Alloy poller; the OTel JS SDK pushes counters named with the rendered component IDs twice,
 * seconds apart; the API's rates, errors, queue and drop % land on the right nodes and edges,
 * equal to what the raw rows' own timestamps give; the live stream sends the update; a name
 * the config lacks yields one `unknown component` event, a deleted destination `orphan throughput`.
 */
describe('topology: rates on the rendered graph, live updates and naming mismatches', () => {
  let t: TestServer;
  const sdks: SdkCollector[] = [];
  let stream: TopologyStream | undefined;
  let stopAgent: (() => Promise<void>) | undefined;

  const api = async <T>(path: string, init?: RequestInit & { json?: unknown }): Promise<T> => {
    const response = await t.api(path, init);
    const text = await response.text();
    assert.ok(response.ok, `${init?.method ?? 'GET'} ${path}: ${response.status} ${text}`);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  const post = <T = { id: string; revision: number }>(path: string, json: unknown = {}) =>
    api<T>(path, { method: 'POST', json });
  const waitUntil = async <T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean) => {
    for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
      const value = await read();
      if (ok(value)) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`timed out waiting for ${what}`);
  };
  const topology = (id: string) => api<TopologyView>(`/api/v1/collectors/${id}/topology?window=15m`);
  const events = async (id: string) =>
    (await api<{ items: Array<{ type: string; detail: string }> }>(`/api/v1/collectors/${id}/events`)).items;

  before(async () => {
    t = await startTestServer({
      start: { namingChecks: { checkIntervalMs: 60_000, recheckAfterMs: 300_000, graceMs: 0 } },
    });
  });
  after(async () => {
    stream?.close();
    await Promise.all(sdks.map((s) => s.shutdown()));
    await stopAgent?.();
    await t.close();
  });

  /** An OpAMP agent (the real client) that applies every config it is given. */
  const startAgent = async (hostname: string) => {
    const { token } = await post<{ token: string }>('/api/v1/enrollment-tokens');
    const agent = startOpampClientAgent({ url: t.url, enrollmentToken: token, hostname });
    stopAgent = () => agent.shutdown();
    await agent.firstConfig;
    const id = await waitUntil(
      'the OpAMP collector',
      async () =>
        (
          await api<{ items: Array<{ id: string; hostname: string | null }> }>('/api/v1/collectors')
        ).items.find((c) => c.hostname === hostname)?.id,
      (found) => found !== undefined,
    );
    return { id: id as string, received: agent.received };
  };
  const appliedVersion = async (id: string, version: number) =>
    waitUntil(
      `config v${version} applied`,
      () =>
        api<{ applyStatus: { status: string; version: number } | null }>(`/api/v1/collectors/${id}/config`),
      (c) => c.applyStatus?.status === 'APPLIED' && c.applyStatus.version >= version,
    );

  /** Rate of one counter between the two newest raw rows of a component, by the rows' own times. */
  const rawRate = async (collectorId: string, componentId: string, counter: string) => {
    const { items } = await api<{ items: RawRow[] }>(
      `/api/v1/collectors/${collectorId}/throughput?window=15m`,
    );
    const rows = items.filter((r) => r.componentId === componentId && r.counters[counter] !== undefined);
    const [previous, last] = rows.slice(-2);
    assert.ok(previous && last, `two raw rows of ${componentId} ${counter}`);
    const seconds = (Date.parse(last.time) - Date.parse(previous.time)) / 1000;
    return ((last.counters[counter] ?? 0) - (previous.counters[counter] ?? 0)) / seconds;
  };
  const near = (actual: number | null | undefined, expected: number, what: string) => {
    assert.ok(
      typeof actual === 'number' && Math.abs(actual - expected) <= Math.abs(expected) * 1e-6 + 1e-9,
      `${what}: ${String(actual)} ≠ ${expected}`,
    );
  };

  let ids: { source: string; destination: string; pipeline: string; route: string; revision: number };
  let otel: { id: string; received: readonly ReceivedConfig[] };
  let alloy: { id: string; bearer: string };

  it('delivers one route to an OpAMP agent and an Alloy poller and draws the same objects for both', async () => {
    const source = await post('/api/v1/sources', { name: 'app OTLP', type: 'otlp', config: {} });
    const destination = await post('/api/v1/destinations', {
      name: 'vendor',
      type: 'otlphttp',
      config: { endpoint: 'https://otlp.vendor.example' },
    });
    const pipeline = await post('/api/v1/pipelines', {
      name: 'batched',
      processors: [{ type: 'batch', config: {} }],
    });
    otel = await startAgent('topology-agent');
    await appliedVersion(otel.id, 1);
    const alloyRecord = await post<{ id: string }>('/api/v1/collectors', { name: 'edge', runtime: 'alloy' });
    const route = await post('/api/v1/routes', {
      name: 'app to vendor',
      sourceId: source.id,
      pipelineId: pipeline.id,
      destinationIds: [destination.id],
      target: { collectorIds: [otel.id, alloyRecord.id] },
    });
    ids = {
      source: source.id,
      destination: destination.id,
      pipeline: pipeline.id,
      route: route.id,
      revision: route.revision,
    };
    await appliedVersion(otel.id, 2);
    const bearer = (await post<{ token: string }>(`/api/v1/collectors/${alloyRecord.id}/token`)).token;
    alloy = { id: alloyRecord.id, bearer };
    const served = await alloyClient(t.url, bearer).getConfig({ id: 'edge', hash: '' });
    await alloyClient(t.url, bearer).getConfig({
      id: 'edge',
      hash: served.hash,
      remoteConfigStatus: { status: AlloyStatuses.RemoteConfigStatuses_APPLIED, errorMessage: '' },
    });

    const objectsOf = (view: TopologyView) =>
      view.nodes.map((n) => [n.kind, n.objectId ?? n.routeId, n.name]).sort();
    const [otelView, alloyView] = await Promise.all([topology(otel.id), topology(alloy.id)]);
    assert.equal(otelView.source, 'rendered');
    assert.deepEqual(objectsOf(otelView), objectsOf(alloyView), 'both runtimes draw the same objects');
    assert.deepEqual(objectsOf(otelView), [
      ['destination', destination.id, 'vendor'],
      ['processor', route.id, 'batched: 1. batch'],
      ['source', source.id, 'app OTLP'],
    ]);
    // This OpAMP client does not report ReportsOwnMetrics, so it was never offered a destination.
    assert.equal(otelView.diagnosis.code, 'no_own_metrics_offer');
    assert.equal(alloyView.diagnosis.code, 'no_push_received');
  });

  const componentsOf = (runtime: 'otelcol' | 'alloy') => {
    const step = routeStepLabel(ids.route, 1);
    return runtime === 'otelcol'
      ? {
          receiver: `otlp/${sourceLabel(ids.source)}`,
          processor: `batch/${step}`,
          exporter: `otlphttp/${destinationLabel(ids.destination)}`,
        }
      : {
          receiver: `otelcol.receiver.otlp.${sourceLabel(ids.source)}`,
          processor: `otelcol.processor.batch.${step}`,
          exporter: `otelcol.exporter.otlphttp.${destinationLabel(ids.destination)}`,
        };
  };

  for (const runtime of ['otelcol', 'alloy'] as const) {
    it(`puts ${runtime} self-telemetry pushed twice on the right nodes and edges, live`, async () => {
      const collectorId = runtime === 'otelcol' ? otel.id : alloy.id;
      // otelcol pushes with the telemetry token rendered into its config, as the real one would.
      const bearer =
        runtime === 'otelcol'
          ? /Bearer (lmtt_[\w-]+)/.exec(otel.received.at(-1)?.body ?? '')?.[1]
          : alloy.bearer;
      assert.ok(bearer, 'a credential to push with');
      const components = componentsOf(runtime);
      const sdk = new SdkCollector({
        url: `${t.url}/v1/metrics`,
        bearer,
        encoding: 'protobuf',
        components,
        alloyForm: runtime === 'alloy',
      });
      sdks.push(sdk);
      stream?.close();
      stream = await openTopologyStream(t.url, collectorId, t.adminToken);
      const first = await stream.next((view) => view.collectorId === collectorId);
      assert.equal(first.diagnosis.numbers, 'none', 'the stream opens with the current view');

      sdk.record({ accepted: 100, refused: 2, sent: 90, sendFailed: 3, dropped: 10 });
      sdk.queueSize = 250;
      await sdk.push();
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      sdk.record({ accepted: 300, refused: 6, sent: 270, sendFailed: 9, dropped: 30 });
      sdk.queueSize = 900;
      await sdk.push();

      const live = await stream.next((view) => view.nodes.every((n) => n.recordsPerSec !== null));
      const view = await topology(collectorId);
      for (const shown of [live, view]) {
        const node = (kind: TopologyNodeView['kind']) => shown.nodes.find((n) => n.kind === kind);
        const [source, step, destination] = [node('source'), node('processor'), node('destination')];
        assert.ok(source && step && destination, 'a source, a step and a destination');
        near(
          source.recordsPerSec,
          await rawRate(collectorId, components.receiver, 'accepted'),
          'source records/s',
        );
        near(
          source.errorsPerSec,
          await rawRate(collectorId, components.receiver, 'refused'),
          'source errors/s',
        );
        near(step.incomingPerSec, await rawRate(collectorId, components.processor, 'incoming'), 'step in/s');
        near(step.recordsPerSec, await rawRate(collectorId, components.processor, 'outgoing'), 'step out/s');
        near(step.dropPercent, 10, 'step drop %');
        near(destination.recordsPerSec, await rawRate(collectorId, components.exporter, 'sent'), 'sent/s');
        near(
          destination.errorsPerSec,
          await rawRate(collectorId, components.exporter, 'sendFailed'),
          'failed/s',
        );
        assert.equal(destination.queueSize, 900);
        assert.equal(destination.queueCapacity, 1000);
        assert.deepEqual(destination.flags, ['errors', 'backpressure']);
        assert.deepEqual(source.flags, ['errors']);
        const edge = (from: TopologyNodeView, to: TopologyNodeView) =>
          shown.edges.find((e) => e.from === from.id && e.to === to.id && e.signal === 'traces');
        near(edge(source, step)?.recordsPerSec, source.recordsPerSec ?? NaN, 'offered: source → step');
        near(edge(step, destination)?.recordsPerSec, destination.recordsPerSec ?? NaN, 'step → destination');
        near(edge(step, destination)?.errorsPerSec, destination.errorsPerSec ?? NaN, 'edge errors/s');
        assert.equal(shown.diagnosis.code, 'ok', shown.diagnosis.message);
        assert.equal(shown.diagnosis.numbers, 'all');
      }

      const sourceNode = view.nodes.find((n) => n.kind === 'source');
      const detail = await api<TopologyNodeDetailView>(
        `/api/v1/collectors/${collectorId}/topology/nodes/${encodeURIComponent(sourceNode?.id ?? '')}?window=24h`,
      );
      assert.equal(detail.windowSeconds, 86_400);
      assert.equal(detail.recordsPerSec.length, 144);
      assert.equal(detail.series[0]?.counters.accepted, 400, 'the newest raw cumulative counter');
      assert.ok(detail.recordsPerSec.some((v) => v !== null && v > 0));
      const chart = await api<ThroughputChartView>(
        `/api/v1/collectors/${collectorId}/throughput/chart?window=24h`,
      );
      assert.ok(
        chart.recordsInPerSec.some((v) => v !== null && v > 0),
        'the last-day chart has the records in',
      );
      assert.ok(chart.errorsPerSec.some((v) => v !== null && v > 0));
    });
  }

  it('records one unknown component event however many pushes name it, and says so in the diagnosis', async () => {
    const sdk = sdks[0] as SdkCollector;
    for (let i = 0; i < 3; i++) {
      sdk.record({ accepted: 10 });
      sdk.recordOther('receiver', 'otlp/hand_edit', 5);
      await sdk.push();
      await t.server.checkComponentNaming();
    }
    const mismatches = (await events(otel.id)).filter((e) => e.type === 'component_naming_mismatch');
    assert.deepEqual(
      mismatches.map((e) => e.detail),
      ["unknown component: receiver otlp/hand_edit is not in the collector's config (v2)"],
    );
    const view = await topology(otel.id);
    assert.equal(view.diagnosis.code, 'naming_mismatch');
    assert.deepEqual(view.diagnosis.mismatches, [
      { detail: 'unknown component', kind: 'receiver', componentId: 'otlp/hand_edit' },
    ]);
  });

  it('calls throughput of a destination deleted while the collector still pushes for it orphan throughput', async () => {
    const other = await post('/api/v1/destinations', { name: 'debug', type: 'debug', config: {} });
    const route = await api<{ revision: number }>(`/api/v1/routes/${ids.route}`);
    await api(`/api/v1/routes/${ids.route}`, {
      method: 'PUT',
      headers: { 'if-match': String(route.revision) },
      json: {
        name: 'app to vendor',
        sourceId: ids.source,
        pipelineId: ids.pipeline,
        destinationIds: [other.id],
        target: { collectorIds: [otel.id, alloy.id] },
      },
    });
    await appliedVersion(otel.id, 3);
    await api(`/api/v1/destinations/${ids.destination}`, { method: 'DELETE' });
    // The collector did not reload: it still pushes for the deleted destination.
    const sdk = sdks[0] as SdkCollector;
    sdk.record({ accepted: 10 });
    await sdk.push();
    await t.server.checkComponentNaming();
    const exporter = `otlphttp/${destinationLabel(ids.destination)}`;
    const mismatches = (await events(otel.id)).filter((e) => e.type === 'component_naming_mismatch');
    assert.ok(
      mismatches.some(
        (e) => e.detail === `orphan throughput: exporter ${exporter} is not in the collector's config (v3)`,
      ),
      JSON.stringify(mismatches),
    );
    const view = await topology(otel.id);
    assert.ok(
      view.diagnosis.mismatches.some((m) => m.detail === 'orphan throughput' && m.componentId === exporter),
    );
  });
});
