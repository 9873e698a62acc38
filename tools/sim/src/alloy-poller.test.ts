import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../../apps/server/src/testing/server-harness.ts';
import { AlloyFleet } from './alloy-fleet.ts';
import { provisionCollectors } from './fleet.ts';

interface CollectorView {
  id: string;
  name: string;
  mode: string;
  status: string;
  statusReason: string | null;
  labels: Record<string, string>;
  os: string | null;
  version: string | null;
  hostname: string | null;
}

describe('simulated Alloy remotecfg pollers', () => {
  let t: TestServer;
  let fleet: AlloyFleet | undefined;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await fleet?.stop();
    await t.close();
  });

  const json = async <T>(path: string): Promise<T> => (await (await t.api(path)).json()) as T;
  const eventTypes = async (id: string) =>
    (await json<{ items: Array<{ type: string }> }>(`/api/v1/collectors/${id}/events`)).items.map(
      (e) => e.type,
    );

  it('register, apply (or fail) the served config, poll not_modified, push throughput and unregister', async () => {
    const namePrefix = 'alloy-sim';
    const collectors = await provisionCollectors(t.url, t.adminToken, 3, { namePrefix, runtime: 'alloy' });
    fleet = new AlloyFleet({
      serverUrl: t.url,
      collectors,
      namePrefix,
      pollMs: 20,
      telemetryIntervalMs: 100,
      failRatio: 1 / 3,
      failingExporterRatio: 0,
      restartProbability: 0,
    });
    await fleet.start();
    const [failing, ...healthy] = fleet.pollers;
    assert.ok(failing);
    // Bounded wait for progress (no timing is asserted).
    for (
      let attempt = 0;
      attempt < 300 &&
      (fleet.pollers.some((p) => p.stats.notModified < 3) || healthy.some((p) => p.stats.pushes < 3));
      attempt++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await t.server.flushTelemetry();

    for (const poller of fleet.pollers) {
      assert.equal(poller.stats.registered, 1);
      assert.equal(poller.stats.configsReceived, 1, 'content once, then not_modified');
      assert.ok(poller.stats.notModified >= 3, `not_modified answers: ${poller.stats.notModified}`);
      assert.ok(poller.stats.notifyCalls >= 2, 'APPLYING and the outcome each went out at once');
      assert.equal(poller.stats.callErrors, 0);
    }
    assert.equal(failing.stats.failed, 1);
    assert.equal(failing.stats.pushes, 0, 'no pipeline without an applied config');
    for (const poller of healthy) {
      assert.equal(poller.stats.applied, 1);
      assert.equal(poller.stats.pushFailures, 0);
    }

    const listed = (await json<{ items: CollectorView[] }>('/api/v1/collectors')).items;
    for (const [i, { id }] of collectors.entries()) {
      const collector = listed.find((c) => c.id === id);
      assert.ok(collector, id);
      assert.equal(collector.mode, 'alloy-remotecfg');
      // The poller that failed its config is connected but in error, and says why.
      assert.equal(
        collector.status,
        i === 0 ? 'error' : 'connected',
        `${collector.status}: ${collector.statusReason}`,
      );
      if (i === 0) assert.match(collector.statusReason ?? '', /config failed/);
      assert.equal(collector.os, 'linux');
      assert.equal(collector.version, 'v1.11.3');
      assert.deepEqual(collector.labels, {
        env: ['prod', 'staging', 'dev'][i],
        cluster: ['eu1', 'eu2', 'us1'][i],
      });
      const types = await eventTypes(id);
      assert.ok(types.includes('registered'), types.join(','));
      assert.ok(types.includes(i === 0 ? 'config_failed' : 'config_applied'), types.join(','));
    }

    for (const { id } of collectors.slice(1)) {
      const components = (
        await json<{ items: Array<{ kind: string; componentId: string; recordsPerSec: number | null }> }>(
          `/api/v1/collectors/${id}/components`,
        )
      ).items;
      // No route targets them: they run the served self-telemetry pipeline, whose components
      // (LinkMesh's own) are the only ones they report.
      const receiver = components.find(
        (c) => c.kind === 'receiver' && c.componentId === 'otelcol.receiver.prometheus.linkmesh',
      );
      assert.ok(receiver, components.map((c) => c.componentId).join(','));
      assert.ok((receiver.recordsPerSec ?? 0) > 0, 'receiver throughput from two samples');
      assert.deepEqual(
        [...new Set(components.map((c) => c.componentId))].sort(),
        ['otelcol.exporter.otlphttp.linkmesh', 'otelcol.receiver.prometheus.linkmesh'],
        'nothing of a pipeline it was not served',
      );
      // Alloy's self-telemetry names its host (service.instance.id); remotecfg never does.
      const detail: CollectorView = await json<CollectorView>(`/api/v1/collectors/${id}`);
      assert.match(detail.hostname ?? '', /^sim-alloy-\d+$/);
    }

    await fleet.stop();
    for (const poller of fleet.pollers) assert.equal(poller.stats.unregistered, 1);
    for (const { id } of collectors) {
      assert.equal((await json<CollectorView>(`/api/v1/collectors/${id}`)).status, 'disconnected');
    }
    fleet = undefined;
  });
});
