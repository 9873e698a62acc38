import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { AgentToServerSchema, ServerToAgentSchema } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import { ManualClock } from '../../domain/shared/clock.ts';
import { OpampWsAgent } from '../../testing/opamp/opamp-ws-agent.ts';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

/**
 * Liveness under a manual clock (issue #10: no real-time waits): an agent silent for three
 * heartbeat intervals (3 × 5 s) turns `stale` over WebSocket and `disconnected` over plain HTTP,
 * and speaking again makes it `connected`. Silence is measured on the injected clock only.
 */
describe('OpAMP liveness (manual clock)', () => {
  const clock = new ManualClock(Date.now());
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ clock, env: { LINKMESH_OPAMP_HEARTBEAT_INTERVAL_SECONDS: '5' } });
  });
  /** An enrollment token binds to the first instance that uses it: one per agent. */
  const newEnrollmentToken = async () =>
    (
      (await (await t.api('/api/v1/enrollment-tokens', { method: 'POST', json: {} })).json()) as {
        token: string;
      }
    ).token;
  after(() => t.close());

  const collectorOf = async (instanceUid: string) => {
    const list = (await (await t.api('/api/v1/collectors')).json()) as {
      items: Array<{ id: string; instanceUid: string | null; status: string }>;
    };
    const found = list.items.find((c) => c.instanceUid === instanceUid);
    assert.ok(found, `collector with instance uid ${instanceUid}`);
    return found;
  };
  const eventsOf = async (collectorId: string) =>
    (
      (await (await t.api(`/api/v1/collectors/${collectorId}/events`)).json()) as {
        items: Array<{ type: string; detail: string }>;
      }
    ).items;

  it('marks a silent WebSocket agent stale only once the clock passes 15 s, then connected again', async () => {
    const agent = new OpampWsAgent({
      url: `${t.url.replace(/^http/, 'ws')}/v1/opamp`,
      headers: { Authorization: `Bearer ${await newEnrollmentToken()}` },
      // No AcceptsOpAMPConnectionSettings: nothing offers it a heartbeat interval, so it stays silent.
      capabilities: 0x3847n,
      heartbeatIntervalMs: 0,
    });
    try {
      await agent.connect();
      await agent.waitFor((m) => m.connectionSettings !== undefined || m.remoteConfig !== undefined, {
        timeoutMs: 5000,
      });
      const { id } = await collectorOf(agent.instanceUidText);

      clock.advanceMs(15_000);
      assert.equal(await t.server.sweepOpampLiveness(), 0, 'exactly 15 s of silence is not yet stale');
      assert.equal((await collectorOf(agent.instanceUidText)).status, 'connected');

      clock.advanceMs(1);
      assert.equal(await t.server.sweepOpampLiveness(), 1);
      assert.equal((await collectorOf(agent.instanceUidText)).status, 'stale');
      assert.equal(await t.server.sweepOpampLiveness(), 0, 'a stale agent is not marked twice');

      agent.send({});
      await agent.waitFor(() => true, { timeoutMs: 5000 });
      assert.equal((await collectorOf(agent.instanceUidText)).status, 'connected');
      const events = await eventsOf(id);
      assert.ok(events.some((e) => e.type === 'disconnected' && /no message for 15 s/.test(e.detail)));
    } finally {
      agent.terminate();
    }
  });

  it('forgets a plain-HTTP agent that missed its polls and marks it disconnected; its next poll reconnects it', async () => {
    const enrollmentToken = await newEnrollmentToken();
    const instanceUid = new Uint8Array(randomBytes(16));
    let sequenceNum = 0n;
    const poll = async (full: boolean) => {
      const message = create(AgentToServerSchema, {
        instanceUid,
        sequenceNum: sequenceNum++,
        capabilities: 0x1n,
        ...(full
          ? {
              agentDescription: {
                identifyingAttributes: [
                  {
                    key: 'service.name',
                    value: { value: { case: 'stringValue', value: 'otelcol-contrib' } },
                  },
                ],
              },
            }
          : {}),
      });
      const response = await fetch(`${t.url}/v1/opamp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${enrollmentToken}`, 'content-type': 'application/x-protobuf' },
        body: toBinary(AgentToServerSchema, message),
      });
      assert.equal(response.status, 200);
      return fromBinary(ServerToAgentSchema, new Uint8Array(await response.arrayBuffer()));
    };
    await poll(true);
    const uidText = Buffer.from(instanceUid).toString('hex');
    const list = (await (await t.api('/api/v1/collectors')).json()) as {
      items: Array<{ id: string; instanceUid: string | null; status: string }>;
    };
    const collector = list.items.find((c) => c.instanceUid?.replace(/-/g, '') === uidText);
    assert.ok(collector, 'the polling agent enrolled');
    const status = async () =>
      ((await (await t.api(`/api/v1/collectors/${collector.id}`)).json()) as { status: string }).status;

    clock.advanceMs(10_000);
    await poll(false);
    clock.advanceMs(15_000);
    assert.equal(await t.server.sweepOpampLiveness(), 0, '15 s since the last poll is still alive');
    clock.advanceMs(1);
    assert.equal(await t.server.sweepOpampLiveness(), 1);
    assert.equal(await status(), 'disconnected');
    assert.ok((await eventsOf(collector.id)).some((e) => /no poll for 15 s/.test(e.detail)));

    await poll(false);
    assert.equal(await status(), 'connected');
  });
});
