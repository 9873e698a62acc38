import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { create } from '@bufbuild/protobuf';
import {
  AgentCapabilities,
  AgentToServerSchema,
  type ServerToAgent,
} from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import pino from 'pino';
import type { FleetService } from '../../domain/fleet/fleet.service.ts';
import type { OpampAgentRecord } from '../../domain/opamp/opamp-agent.types.ts';
import type { DesiredConfig, OpampService } from '../../domain/opamp/opamp.service.ts';
import { ManualClock } from '../../domain/shared/clock.ts';
import { AgentConnection } from './agent-connection.ts';
import { AgentConnections } from './agent-connections.ts';
import { OpampSession } from './opamp.session.ts';

const desired = (yaml: string): DesiredConfig => {
  const digest = createHash('sha256').update(yaml).digest();
  return { yaml, hash: new Uint8Array(digest), hashHex: digest.toString('hex') };
};

/**
 * A fleet of real sessions over fake sockets, with a config service whose answers the test
 * holds back: a lookup answers the config set when it was made, and while held, only when the
 * test lets it.
 */
function fleetOf(size: number) {
  let config = desired('receivers: {a: {}}\n');
  let held: Array<() => void> | undefined;
  const opamp = {
    attach: (credential: { collectorId: string }) =>
      Promise.resolve({ collectorId: credential.collectorId, newBearer: undefined }),
    record: (collectorId: string, report: { instanceUid: string; capabilities: number }) =>
      Promise.resolve({
        instanceUid: report.instanceUid,
        collectorId,
        capabilities: report.capabilities,
        remoteConfigStatus: null,
      } as unknown as OpampAgentRecord),
    desiredConfig: () => {
      const answer = config;
      if (!held) return Promise.resolve(answer);
      const queue = held;
      return new Promise<DesiredConfig>((resolve) => queue.push(() => resolve(answer)));
    },
  } as unknown as OpampService;
  const fleet = { setConnectionStatus: () => Promise.resolve() } as unknown as FleetService;
  const deps = {
    opamp,
    fleet,
    logger: pino({ level: 'silent' }),
    externalUrl: () => 'http://linkmesh.test',
    heartbeatIntervalSeconds: 30,
    sequences: new Map<string, bigint>(),
    liveInstances: new Map<string, OpampSession>(),
    nowMs: () => 0,
  };
  const outcomes: string[] = [];
  const connections = new AgentConnections(
    fleet,
    new ManualClock(0),
    { silenceMs: 90_000, maxPollingAgents: 10 },
    { fanOut: (outcome) => outcomes.push(outcome) },
  );
  /** The YAML of every config pushed to each agent, in order. */
  const pushed: string[][] = [];
  return {
    connections,
    pushed,
    outcomes,
    setConfig: (yaml: string) => (config = desired(yaml)),
    /** Holds every lookup made from now on; the function returned lets those answer. */
    hold: () => {
      const queue: Array<() => void> = [];
      held = queue;
      return () => {
        if (held === queue) held = undefined;
        for (const resolve of queue) resolve();
      };
    },
    /** Each agent connects and is answered once (that answer carries the first config). */
    connect: async () => {
      for (let i = 0; i < size; i++) {
        const received: string[] = [];
        pushed.push(received);
        const session = new OpampSession(deps, { kind: 'collector', collectorId: `c${i}` }, 'ws');
        const uid = new Uint8Array(16);
        uid[0] = i;
        await session.handle(
          create(AgentToServerSchema, {
            instanceUid: uid,
            sequenceNum: 1n,
            capabilities: BigInt(
              AgentCapabilities.AgentCapabilities_ReportsStatus |
                AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig,
            ),
          }),
        );
        const connection = new AgentConnection(session, {
          push: (message: ServerToAgent) =>
            received.push(
              Buffer.from(message.remoteConfig?.config?.configMap['']?.body ?? []).toString('utf8'),
            ),
          close: () => undefined,
        });
        connections.track(connection);
      }
    },
  };
}

describe('AgentConnections fleet-wide config fan-out', () => {
  it('answers the caller before any agent is pushed, then pushes every agent once', async () => {
    const f = fleetOf(20);
    await f.connect();
    f.setConfig('receivers: {b: {}}\n');
    const walk = f.connections.configChanged();
    assert.equal(f.pushed.flat().length, 0, 'nothing is pushed on the caller’s turn of the event loop');
    await walk;
    assert.deepEqual(
      f.pushed.map((p) => p.join('')),
      Array.from({ length: 20 }, () => 'receivers: {b: {}}\n'),
    );
    assert.deepEqual(f.outcomes, ['done']);
  });

  it('a second change arriving mid-walk wins: no agent ends on (or is last sent) the older config', async () => {
    const f = fleetOf(40);
    await f.connect();
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    // The first walk looks up the first agents' config and waits there (a slow store).
    f.setConfig('receivers: {old: {}}\n');
    const releaseOlder = f.hold();
    const first = f.connections.configChanged();
    await nextTurn();
    // The newer change lands while those lookups are out; its walk reaches the same agents.
    f.setConfig('receivers: {new: {}}\n');
    const releaseNewer = f.hold();
    const second = f.connections.configChanged();
    await nextTurn();
    // The newer lookups answer first and are pushed; the older ones answer only after them.
    releaseNewer();
    await second;
    releaseOlder();
    await first;
    for (const [i, received] of f.pushed.entries())
      assert.equal(received.at(-1), 'receivers: {new: {}}\n', `agent ${i} ends on the newer config`);
    assert.ok(
      f.pushed.every((received) => !received.includes('receivers: {old: {}}\n')),
      'the older config is never sent once a newer push to the same agent has begun',
    );
    assert.deepEqual(f.outcomes.sort(), ['done', 'superseded']);
  });
});
