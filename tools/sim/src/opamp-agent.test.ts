import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../../apps/server/src/testing/server-harness.ts';
import { SimOpampAgent } from './opamp-agent.ts';

describe('simulated supervisor-like OpAMP agents', () => {
  let t: TestServer;
  const agents: SimOpampAgent[] = [];
  before(async () => {
    t = await startTestServer();
  });
  after(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await t.close();
  });

  it('enrol over WebSocket and HTTP, take their bearer, apply config and push self-telemetry', async () => {
    for (const [i, transport] of (['ws', 'ws', 'http'] as const).entries()) {
      const token = (
        (await (await t.api('/api/v1/enrollment-tokens', { method: 'POST', json: {} })).json()) as {
          token: string;
        }
      ).token;
      const base = transport === 'ws' ? t.url.replace(/^http/, 'ws') : t.url;
      const agent = new SimOpampAgent({
        url: `${base}/v1/opamp`,
        enrollmentToken: token,
        hostName: `sim-${transport}-${i}`,
        heartbeatMs: 200,
        ownMetricsIntervalMs: 150,
        seed: i + 1,
      });
      agents.push(agent);
      await agent.start();
    }
    for (
      let attempt = 0;
      attempt < 100 && agents.some((a) => a.stats.pushes < 2 || a.stats.applied < 1);
      attempt++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await t.server.flushTelemetry();
    const collectors = (
      (await (await t.api('/api/v1/collectors')).json()) as {
        items: Array<{ id: string; hostname: string; status: string; mode: string }>;
      }
    ).items;
    for (const agent of agents) {
      assert.ok(agent.stats.applied >= 1, 'config applied');
      assert.ok(agent.stats.pushes >= 2, 'self-telemetry pushed with the offered bearer');
      assert.equal(agent.stats.pushFailures, 0);
      assert.match(agent.ownMetrics?.headers.Authorization ?? '', /^Bearer lmct_/);
    }
    assert.equal(
      agents.filter((a) => a.transport === 'ws').every((a) => a.stats.reconnects === 1),
      true,
      'WS agents reconnected once, with the bearer',
    );
    for (const name of ['sim-ws-0', 'sim-ws-1', 'sim-http-2']) {
      const collector = collectors.find((c) => c.hostname === name);
      assert.ok(collector, name);
      assert.equal(collector.mode, 'opamp');
      assert.equal(collector.status, 'connected');
      const rows = (
        (await (await t.api(`/api/v1/collectors/${collector.id}/throughput`)).json()) as { items: unknown[] }
      ).items;
      assert.ok(rows.length > 0, `${name} has throughput rows`);
    }
  });
});
