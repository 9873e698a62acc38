import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerErrorResponseType, ServerToAgentFlags } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import { OpampFrameError } from '../../protocols/opamp/opamp.codec.ts';
import { agentFor, connected, isFullState, nextMessage, startServer } from './opamp-ws-agent.fixtures.ts';
import { OpampConnectError } from './opamp-ws-agent.ts';

describe('OpampWsAgent connection settings', () => {
  it('reconnects with exactly the offered headers and sends full state again from sequence 1', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server, { headers: { Authorization: 'Bearer token-1', 'X-Original': 'yes' } });
    const first = await connected(server, agent);

    first.send({
      instanceUid: agent.instanceUid,
      connectionSettings: {
        hash: new Uint8Array([1]),
        opamp: {
          destinationEndpoint: server.url,
          headers: { headers: [{ key: 'Authorization', value: 'Bearer token-2' }] },
          heartbeatIntervalSeconds: 45n,
        },
      },
    });
    const second = await server.connections.waitForCount(2);
    const { msg } = await server.received.waitFor((entry) => entry.connection === second);

    const lastOnFirst = server.received.items.filter((entry) => entry.connection === first).at(-1)!.msg;
    assert.ok(lastOnFirst.agentDisconnect, 'the old client said goodbye');
    assert.equal((await first.closed).code, 1000);
    assert.equal(second.headers.authorization, 'Bearer token-2');
    assert.equal(second.headers['x-original'], undefined, 'headers not offered are dropped');
    assert.equal(msg.sequenceNum, 1n);
    assert.ok(isFullState(msg));
    assert.deepEqual(agent.headers, { Authorization: 'Bearer token-2' });
    assert.equal(agent.heartbeatIntervalMs, 45_000);
  });

  it('falls back to the previous settings when the offered connection is refused', async (t) => {
    const server = await startServer(t, {
      authorize: (headers) => headers.authorization === 'Bearer token-1',
    });
    const agent = agentFor(t, server);
    const first = await connected(server, agent);

    first.send({
      instanceUid: agent.instanceUid,
      connectionSettings: {
        opamp: {
          destinationEndpoint: server.url,
          headers: { headers: [{ key: 'Authorization', value: 'Bearer bad' }] },
        },
      },
    });
    const again = await server.connections.waitForCount(2);
    assert.equal(again.headers.authorization, 'Bearer token-1');
    assert.equal(server.refused.items[0]?.authorization, 'Bearer bad');
    assert.equal((await agent.connectErrors.waitForCount(1)).status, 401);
  });

  it('applies the offered heartbeat interval as opamp-go does, so an offer without one turns heartbeats off', async (t) => {
    const server = await startServer(t);
    // Without AcceptsOpAMPConnectionSettings the endpoint is ignored but the interval still applies.
    const agent = agentFor(t, server, { capabilities: 0x3847n });
    const connection = await connected(server, agent);

    const next = nextMessage(server);
    connection.send({
      instanceUid: agent.instanceUid,
      connectionSettings: { opamp: { destinationEndpoint: server.url } },
    });
    connection.send({
      instanceUid: agent.instanceUid,
      flags: BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState),
    });
    assert.ok(isFullState(await next), 'the offer was processed before the full-state request');
    assert.equal(agent.heartbeatIntervalMs, 0);
    assert.equal(server.connections.length, 1, 'no reconnect without AcceptsOpAMPConnectionSettings');
  });

  it('records the own_metrics offer and skips an offer whose hash was already processed', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server);
    const connection = await connected(server, agent);
    const offer = (hash: number, endpoint: string, token: string) => ({
      instanceUid: agent.instanceUid,
      connectionSettings: {
        hash: new Uint8Array([hash]),
        ownMetrics: {
          destinationEndpoint: endpoint,
          headers: { headers: [{ key: 'Authorization', value: `Bearer ${token}` }] },
        },
      },
    });

    connection.send(offer(1, 'https://fleet.example.com/v1/metrics', 'm1'));
    connection.send(offer(1, 'https://ignored.example.com/v1/metrics', 'm2'));
    connection.send(offer(2, 'https://fleet.example.com/v1/metrics', 'm3'));
    await agent.ownMetricsOffers.waitForCount(2);
    assert.deepEqual(agent.ownMetricsOffers.items, [
      { endpoint: 'https://fleet.example.com/v1/metrics', headers: { Authorization: 'Bearer m1' } },
      { endpoint: 'https://fleet.example.com/v1/metrics', headers: { Authorization: 'Bearer m3' } },
    ]);
    assert.deepEqual(agent.ownMetricsOffer?.headers, { Authorization: 'Bearer m3' });
  });
});

describe('OpampWsAgent connection lifecycle', () => {
  it('disconnects on Unavailable with retry_info and reconnects after the given delay', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server);
    const first = await connected(server, agent);

    const sentAtMs = performance.now();
    first.send({
      instanceUid: agent.instanceUid,
      errorResponse: {
        type: ServerErrorResponseType.ServerErrorResponseType_Unavailable,
        details: { case: 'retryInfo', value: { retryAfterNanoseconds: 60_000_000n } },
      },
    });
    const second = await server.connections.waitForCount(2);
    assert.ok(performance.now() - sentAtMs >= 50, 'waited for retry_after');
    assert.equal((await first.closed).code, 1000);
    const { msg } = await server.received.waitFor((entry) => entry.connection === second);
    assert.ok(isFullState(msg));
  });

  it('reconnects with back-off after the server drops the connection, continuing its sequence numbers', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server, { reconnect: { initialDelayMs: 10, maxDelayMs: 100 } });
    const first = await connected(server, agent);

    first.close(1011, 'restarting');
    const second = await server.connections.waitForCount(2);
    const { msg } = await server.received.waitFor((entry) => entry.connection === second);
    assert.ok(isFullState(msg));
    assert.equal(msg.sequenceNum, 2n);
    assert.deepEqual(agent.closes.items[0], { code: 1011, reason: 'restarting' });
  });

  it('stays disconnected after the server closes when reconnecting is off', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server);
    const connection = await connected(server, agent);

    connection.close(1008, 'policy');
    assert.deepEqual(await agent.closes.waitForCount(1), { code: 1008, reason: 'policy' });
    assert.equal(agent.isConnected, false);
    assert.throws(() => agent.send(), /not connected/);
  });

  it('sends agent_disconnect and closes with 1000 on close()', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server);
    const connection = await connected(server, agent);

    await agent.close();
    const last = server.received.last!.msg;
    assert.ok(last.agentDisconnect);
    assert.equal(last.sequenceNum, 2n);
    assert.equal((await connection.closed).code, 1000);
  });

  it('drops the connection when the server sends a frame it cannot decode', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server);
    const connection = await connected(server, agent);

    connection.sendRaw(new Uint8Array([0x00, 0x0a, 0xff]));
    const error = await agent.protocolErrors.waitForCount(1);
    assert.ok(error instanceof OpampFrameError);
    assert.equal(error.kind, 'malformed');
    assert.equal((await connection.closed).code, 1000);
  });

  it('sends raw bytes unframed, so bad input reaches the server as is', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server);
    await connected(server, agent);

    agent.sendRaw(new Uint8Array([0x00, 0x0a, 0xff]));
    const frame = await server.frames.waitFor((entry) => entry.error !== undefined);
    assert.deepEqual([...frame.raw], [0x00, 0x0a, 0xff]);
    assert.equal(frame.error?.kind, 'malformed');
  });

  it('rejects connect() with the HTTP status when the server refuses the upgrade', async (t) => {
    const server = await startServer(t, { authorize: () => false });
    const agent = agentFor(t, server);

    await assert.rejects(agent.connect(), (error: unknown) => {
      assert.ok(error instanceof OpampConnectError);
      assert.equal(error.status, 401);
      return true;
    });
    assert.equal(agent.connections, 0);
  });
});
