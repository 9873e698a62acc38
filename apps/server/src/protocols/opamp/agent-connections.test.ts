import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FleetService } from '../../domain/fleet/fleet.service.ts';
import { ManualClock } from '../../domain/shared/clock.ts';
import { AgentConnection } from './agent-connection.ts';
import { AgentConnections } from './agent-connections.ts';
import type { OpampSession } from './opamp.session.ts';

/** The registry's own state stays bounded and consistent; the protocol behaviour is end to end. */
describe('AgentConnections', () => {
  const statusChanges: string[] = [];
  const fleet = {
    setConnectionStatus: (id: string, status: string) => {
      statusChanges.push(`${id}:${status}`);
      return Promise.resolve();
    },
  } as unknown as FleetService;
  const polling = (collectorId: string, instanceUid: string, lastMessageAtMs: number) =>
    new AgentConnection(
      {
        collectorId,
        instanceUid,
        transport: 'http',
        lastMessageAtMs,
        stale: false,
      } as unknown as OpampSession,
      { close: () => undefined },
    );

  it('forgets the least recently polled agent past its bound, from both indexes', () => {
    const connections = new AgentConnections(fleet, new ManualClock(0), {
      silenceMs: 90_000,
      maxPollingAgents: 2,
    });
    const [a, b, c] = [polling('c1', 'u1', 0), polling('c2', 'u2', 0), polling('c3', 'u3', 0)];
    connections.rememberPollingAgent('u1', a);
    connections.rememberPollingAgent('u2', b);
    connections.pollingAgent('u1');
    connections.rememberPollingAgent('u3', c);
    assert.equal(connections.pollingAgent('u2'), undefined, 'u2 was the least recently polled');
    assert.deepEqual(connections.connectionsOf('c2'), []);
    assert.equal(connections.size, 2);
  });

  it('a new session for the same instance replaces the old one in the collector index', () => {
    const connections = new AgentConnections(fleet, new ManualClock(0), {
      silenceMs: 90_000,
      maxPollingAgents: 10,
    });
    const [first, second] = [polling('c1', 'u1', 0), polling('c1', 'u1', 0)];
    connections.rememberPollingAgent('u1', first);
    connections.rememberPollingAgent('u1', second);
    assert.deepEqual(connections.connectionsOf('c1'), [second]);
  });

  it('sweeps by the injected clock: silent polling agents are forgotten and disconnected', async () => {
    statusChanges.length = 0;
    const clock = new ManualClock(1_000_000);
    const connections = new AgentConnections(fleet, clock, { silenceMs: 90_000, maxPollingAgents: 10 });
    connections.rememberPollingAgent('u1', polling('c1', 'u1', 1_000_000));
    connections.rememberPollingAgent('u2', polling('c2', 'u2', 1_050_000));
    clock.advanceMs(90_001);
    assert.equal(await connections.sweep(), 1);
    assert.deepEqual(statusChanges, ['c1:disconnected']);
    assert.equal(connections.pollingAgent('u1'), undefined);
    assert.equal(connections.size, 1);
  });
});
