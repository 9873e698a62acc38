import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import {
  RemoteConfigStatuses,
  ServerErrorResponseType,
  ServerToAgentFlags,
} from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { AgentToServer } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import type { KeyValue } from '@linkmesh/contracts/gen/opamp/v1/anyvalue_pb';
import { instanceUidToString, newInstanceUid } from '../../protocols/opamp/opamp.codec.ts';
import { FakeOpampServer } from './fake-opamp-server.ts';
import type { FakeOpampConnection, FakeOpampServerOptions } from './fake-opamp-server.ts';
import { DEFAULT_EFFECTIVE_CONFIG_YAML } from './opamp-agent.state.ts';
import { OpampConnectError, OpampWsAgent } from './opamp-ws-agent.ts';
import type { OpampWsAgentOptions } from './opamp-ws-agent.ts';

const NEW_CONFIG_YAML = 'receivers:\n  otlp: {}\nexporters:\n  otlphttp:\n    endpoint: https://backend\n';

async function startServer(t: TestContext, options: FakeOpampServerOptions = {}): Promise<FakeOpampServer> {
  const server = await FakeOpampServer.start(options);
  t.after(() => server.close());
  return server;
}

function agentFor(
  t: TestContext,
  server: FakeOpampServer,
  options: Partial<OpampWsAgentOptions> = {},
): OpampWsAgent {
  const agent = new OpampWsAgent({
    url: server.url,
    headers: { Authorization: 'Bearer token-1' },
    ...options,
  });
  t.after(() => agent.close({ disconnect: false }));
  return agent;
}

/** Connects and returns the server side of the connection once the first message arrived. */
async function connected(server: FakeOpampServer, agent: OpampWsAgent): Promise<FakeOpampConnection> {
  await agent.connect();
  const first = await server.received.waitForCount(server.received.length + 1);
  return first.connection;
}

/** The next message the server receives after the ones it has now. */
function nextMessage(server: FakeOpampServer, predicate: (msg: AgentToServer) => boolean = () => true) {
  return server.received
    .waitFor((entry) => predicate(entry.msg), { fromIndex: server.received.length })
    .then((entry) => entry.msg);
}

function attributes(keyValues: readonly KeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries(
    (keyValues ?? []).map((kv) => [
      kv.key,
      kv.value?.value.case === 'stringValue' ? kv.value.value.value : kv.value,
    ]),
  );
}

function isFullState(msg: AgentToServer): boolean {
  return (
    msg.agentDescription !== undefined &&
    msg.health !== undefined &&
    msg.effectiveConfig !== undefined &&
    msg.remoteConfigStatus !== undefined
  );
}

function isHeartbeat(msg: AgentToServer): boolean {
  return (
    msg.agentDescription === undefined &&
    msg.health === undefined &&
    msg.effectiveConfig === undefined &&
    msg.remoteConfigStatus === undefined &&
    msg.agentDisconnect === undefined &&
    msg.flags === 0n
  );
}

function effectiveYaml(msg: AgentToServer): string | undefined {
  const file = msg.effectiveConfig?.configMap?.configMap[''];
  return file && new TextDecoder().decode(file.body);
}

function remoteConfig(yaml: string, hash: number) {
  return {
    remoteConfig: {
      config: { configMap: { '': { body: new TextEncoder().encode(yaml), contentType: 'text/yaml' } } },
      configHash: new Uint8Array([hash]),
    },
  };
}

describe('OpampWsAgent status reporting', () => {
  it('sends the full status report first, with the supervisor-style identity and capabilities', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server);
    const connection = await connected(server, agent);
    const msg = server.received.items[0]!.msg;

    assert.equal(connection.headers.authorization, 'Bearer token-1');
    assert.equal(msg.instanceUid.length, 16);
    assert.deepEqual(msg.instanceUid, agent.instanceUid);
    assert.equal(msg.sequenceNum, 1n);
    assert.equal(msg.capabilities, 0x3947n);
    assert.deepEqual(attributes(msg.agentDescription?.identifyingAttributes), {
      'service.instance.id': instanceUidToString(agent.instanceUid),
      'service.name': 'otelcol-contrib',
      'service.version': '0.140.0',
    });
    assert.deepEqual(attributes(msg.agentDescription?.nonIdentifyingAttributes), {
      'os.type': 'linux',
      'host.arch': 'amd64',
      'host.name': 'collector-1',
    });
    assert.equal(msg.health?.healthy, true);
    assert.ok(msg.health.startTimeUnixNano > 0n);
    assert.deepEqual(Object.keys(msg.effectiveConfig?.configMap?.configMap ?? {}), ['']);
    assert.equal(effectiveYaml(msg), DEFAULT_EFFECTIVE_CONFIG_YAML);
    assert.equal(msg.remoteConfigStatus?.status, RemoteConfigStatuses.RemoteConfigStatuses_UNSET);
    const reply = await agent.waitFor(() => true);
    assert.equal(reply.capabilities, 0x27n);
  });

  it('sends heartbeats of only instance_uid, sequence_num and capabilities, one interval apart', async (t) => {
    const arrivalsMs: number[] = [];
    const server = await startServer(t, {
      respond: (msg) => {
        arrivalsMs.push(performance.now());
        return { instanceUid: msg.instanceUid };
      },
    });
    const agent = agentFor(t, server, { heartbeatIntervalMs: 40 });
    await connected(server, agent);
    await server.received.waitForCount(4);

    const messages = server.received.items.slice(0, 4).map((entry) => entry.msg);
    assert.deepEqual(
      messages.map((msg) => msg.sequenceNum),
      [1n, 2n, 3n, 4n],
    );
    for (const heartbeat of messages.slice(1)) {
      assert.ok(isHeartbeat(heartbeat), 'no status fields in a heartbeat');
      assert.deepEqual(heartbeat.instanceUid, agent.instanceUid);
      assert.equal(heartbeat.capabilities, 0x3947n);
    }
    for (let i = 1; i < 4; i++) {
      assert.ok(arrivalsMs[i]! - arrivalsMs[i - 1]! >= 30, `heartbeat ${i} came after a full interval`);
    }
  });

  it('resends the full status report when the server sets ReportFullState', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server);
    const connection = await connected(server, agent);

    const next = nextMessage(server);
    connection.send({
      instanceUid: agent.instanceUid,
      flags: BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState),
    });
    const msg = await next;
    assert.equal(msg.sequenceNum, 2n);
    assert.ok(isFullState(msg));
  });

  it('adopts new_instance_uid and reports the description with the new service.instance.id', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server);
    const connection = await connected(server, agent);
    const newUid = newInstanceUid();

    const next = nextMessage(server);
    connection.send({ instanceUid: agent.instanceUid, agentIdentification: { newInstanceUid: newUid } });
    const msg = await next;
    assert.deepEqual(msg.instanceUid, newUid);
    assert.equal(
      attributes(msg.agentDescription?.identifyingAttributes)['service.instance.id'],
      instanceUidToString(newUid),
    );
    assert.deepEqual(agent.instanceUid, newUid);
  });
});

describe('OpampWsAgent remote config', () => {
  it('reports APPLYING, then APPLIED with the config hash and the new effective config', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server, { applyDelayMs: 20 });
    const connection = await connected(server, agent);

    const applying = nextMessage(server);
    const applied = nextMessage(
      server,
      (msg) => msg.remoteConfigStatus?.status === RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
    );
    connection.send({ instanceUid: agent.instanceUid, ...remoteConfig(NEW_CONFIG_YAML, 7) });

    const first = await applying;
    assert.equal(first.remoteConfigStatus?.status, RemoteConfigStatuses.RemoteConfigStatuses_APPLYING);
    assert.deepEqual(first.remoteConfigStatus.lastRemoteConfigHash, new Uint8Array([7]));
    assert.equal(first.effectiveConfig, undefined);
    const done = await applied;
    assert.equal(done.sequenceNum, first.sequenceNum + 1n);
    assert.deepEqual(done.remoteConfigStatus?.lastRemoteConfigHash, new Uint8Array([7]));
    assert.equal(effectiveYaml(done), NEW_CONFIG_YAML);
    assert.equal(agent.effectiveConfigYaml, NEW_CONFIG_YAML);
  });

  it('reports FAILED with the error after APPLYING when the collector does not run the config', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server, {
      judgeConfig: (yaml) => (yaml.includes('bogus') ? { message: 'unknown exporter "bogus"' } : undefined),
    });
    const connection = await connected(server, agent);

    const applying = nextMessage(server);
    const failed = nextMessage(
      server,
      (msg) => msg.remoteConfigStatus?.status === RemoteConfigStatuses.RemoteConfigStatuses_FAILED,
    );
    connection.send({ instanceUid: agent.instanceUid, ...remoteConfig('exporters:\n  bogus: {}\n', 9) });

    assert.equal(
      (await applying).remoteConfigStatus?.status,
      RemoteConfigStatuses.RemoteConfigStatuses_APPLYING,
    );
    const msg = await failed;
    assert.equal(msg.remoteConfigStatus?.errorMessage, 'unknown exporter "bogus"');
    assert.deepEqual(msg.remoteConfigStatus.lastRemoteConfigHash, new Uint8Array([9]));
    assert.equal(msg.effectiveConfig, undefined, 'the running config did not change');
    assert.equal(agent.effectiveConfigYaml, DEFAULT_EFFECTIVE_CONFIG_YAML);
  });

  it('reports FAILED without APPLYING when the supervisor cannot merge the config', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server, {
      judgeConfig: () => ({ message: 'yaml: line 1: bad', stage: 'merge' }),
    });
    const connection = await connected(server, agent);

    const next = nextMessage(server);
    connection.send({ instanceUid: agent.instanceUid, ...remoteConfig(': : :', 3) });
    const msg = await next;
    assert.equal(msg.remoteConfigStatus?.status, RemoteConfigStatuses.RemoteConfigStatuses_FAILED);
    assert.equal(msg.remoteConfigStatus.errorMessage, 'yaml: line 1: bad');
  });

  it('reports APPLIED at once for the running config, and nothing when the same offer repeats', async (t) => {
    const server = await startServer(t);
    const agent = agentFor(t, server);
    const connection = await connected(server, agent);

    const applied = nextMessage(server);
    connection.send({ instanceUid: agent.instanceUid, ...remoteConfig(DEFAULT_EFFECTIVE_CONFIG_YAML, 5) });
    assert.equal(
      (await applied).remoteConfigStatus?.status,
      RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
    );

    // The repeat changes no status, so the next message is the full state asked for after it.
    const next = nextMessage(server);
    connection.send({ instanceUid: agent.instanceUid, ...remoteConfig(DEFAULT_EFFECTIVE_CONFIG_YAML, 5) });
    connection.send({
      instanceUid: agent.instanceUid,
      flags: BigInt(ServerToAgentFlags.ServerToAgentFlags_ReportFullState),
    });
    assert.ok(isFullState(await next));
  });
});

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
