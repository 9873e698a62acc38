import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RemoteConfigStatuses, ServerToAgentFlags } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import { instanceUidToString, newInstanceUid } from '../../protocols/opamp/opamp.codec.ts';
import { DEFAULT_EFFECTIVE_CONFIG_YAML } from './opamp-agent.state.ts';
import {
  agentFor,
  attributes,
  connected,
  effectiveYaml,
  isFullState,
  isHeartbeat,
  NEW_CONFIG_YAML,
  nextMessage,
  remoteConfig,
  startServer,
} from './opamp-ws-agent.fixtures.ts';

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
    // Paced by the interval: three heartbeats span about three intervals. Measured over the span,
    // not per gap: on a busy machine one late arrival makes the next gap look short.
    assert.ok(arrivalsMs[3]! - arrivalsMs[0]! >= 3 * 30, 'three heartbeats take three intervals');
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
