import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OpampWsAgent } from '../../testing/opamp/opamp-ws-agent.ts';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

/**
 * Liveness with the shortest heartbeat interval the configuration allows (5 s): an agent silent
 * for three intervals turns `stale`, and its next message makes it `connected` again.
 */
describe('OpAMP liveness', () => {
  let t: TestServer;
  let agent: OpampWsAgent;
  before(async () => {
    t = await startTestServer({ env: { LINKMESH_OPAMP_HEARTBEAT_INTERVAL_SECONDS: '5' } });
    const token = (
      (await (await t.api('/api/v1/enrollment-tokens', { method: 'POST', json: {} })).json()) as {
        token: string;
      }
    ).token;
    agent = new OpampWsAgent({
      url: `${t.url.replace(/^http/, 'ws')}/v1/opamp`,
      headers: { Authorization: `Bearer ${token}` },
      // No AcceptsOpAMPConnectionSettings: nothing offers it a heartbeat interval, so it stays silent.
      capabilities: 0x3847n,
      heartbeatIntervalMs: 0,
    });
    await agent.connect();
    await agent.waitFor((m) => m.connectionSettings !== undefined || m.remoteConfig !== undefined, {
      timeoutMs: 5000,
    });
  });
  after(async () => {
    agent.terminate();
    await t.close();
  });

  it('marks a silent agent stale, then connected again when it speaks', async () => {
    const list = (await (await t.api('/api/v1/collectors')).json()) as {
      items: Array<{ id: string; instanceUid: string | null }>;
    };
    const collectorId = list.items.find((c) => c.instanceUid === agent.instanceUidText)?.id ?? '';
    const status = async () =>
      ((await (await t.api(`/api/v1/collectors/${collectorId}`)).json()) as { status: string }).status;
    let current = await status();
    for (let waited = 0; current !== 'stale' && waited < 30_000; waited += 500) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      current = await status();
    }
    assert.equal(current, 'stale');
    agent.send({});
    for (let waited = 0; current !== 'connected' && waited < 5000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      current = await status();
    }
    assert.equal(current, 'connected');
    const events = (
      (await (await t.api(`/api/v1/collectors/${collectorId}/events`)).json()) as {
        items: Array<{ type: string; detail: string }>;
      }
    ).items;
    assert.ok(events.some((e) => e.type === 'disconnected' && /no message for 15 s/.test(e.detail)));
  });
});
