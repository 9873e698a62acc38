import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createOpAMPClient, DIAG_CH_SEND_SUCCESS, RemoteConfigStatuses } from '@elastic/opamp-client-node';
import { AgentCapabilities } from '@linkmesh/contracts/gen/opamp/v1/opamp_pb';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

interface Exchange {
  a2s: { sequenceNum: bigint; agentDescription?: unknown };
  s2a: { flags: bigint; remoteConfig?: unknown };
}

/**
 * OpAMP over plain HTTP with a real third-party client, `@elastic/opamp-client-node`: enrolment
 * with an enrollment token, remote config delivered and its APPLIED status recorded, and the
 * full state asked for again after a server restart.
 */
describe('OpAMP over HTTP (@elastic/opamp-client-node)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'linkmesh-opamp-http-'));
  let t: TestServer | undefined;
  const exchanges: Exchange[] = [];
  const onExchange = (message: unknown) => exchanges.push(message as Exchange);
  subscribe(DIAG_CH_SEND_SUCCESS, onExchange);
  after(async () => {
    unsubscribe(DIAG_CH_SEND_SUCCESS, onExchange);
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const waitUntil = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000) => {
    for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail(`timed out waiting for ${what}`);
  };

  it('enrols, applies the remote config, and reports full state again after a server restart', async () => {
    t = await startTestServer({ dataDir });
    const server = t;
    const token = (
      (await (await server.api('/api/v1/enrollment-tokens', { method: 'POST', json: {} })).json()) as {
        token: string;
      }
    ).token;
    const client = createOpAMPClient({
      endpoint: `${server.url}/v1/opamp`,
      headers: { Authorization: `Bearer ${token}` },
      capabilities: BigInt(
        AgentCapabilities.AgentCapabilities_AcceptsRemoteConfig |
          AgentCapabilities.AgentCapabilities_ReportsRemoteConfig,
      ),
      heartbeatIntervalSeconds: 0.2,
      diagEnabled: true,
      onMessage: (data: unknown) => {
        const remoteConfig = (data as { remoteConfig?: { configHash: Uint8Array } }).remoteConfig;
        if (remoteConfig) {
          client.setRemoteConfigStatus({
            status: RemoteConfigStatuses.RemoteConfigStatuses_APPLIED,
            lastRemoteConfigHash: remoteConfig.configHash,
          });
        }
      },
    });
    client.setAgentDescription({
      identifyingAttributes: { 'service.name': 'otelcol-contrib', 'service.version': '0.135.0' },
      nonIdentifyingAttributes: { 'host.name': 'http-agent-01', 'os.type': 'linux' },
    });
    client.start();
    try {
      let collectorId = '';
      await waitUntil('the collector', async () => {
        const list = (await (await server.api('/api/v1/collectors')).json()) as {
          items: Array<{ id: string; hostname: string | null }>;
        };
        collectorId = list.items.find((c) => c.hostname === 'http-agent-01')?.id ?? '';
        return collectorId !== '';
      });
      const eventTypes = async (s: TestServer) =>
        (
          (await (await s.api(`/api/v1/collectors/${collectorId}/events`)).json()) as {
            items: Array<{ type: string }>;
          }
        ).items.map((e) => e.type);
      await waitUntil('config_applied', async () => (await eventTypes(server)).includes('config_applied'));
      const types = await eventTypes(server);
      assert.ok(types.includes('registered'));
      assert.ok(
        exchanges.some((e) => e.s2a.remoteConfig !== undefined),
        'the remote config was delivered',
      );

      // Restart on the same port and data; the client keeps polling.
      const port = new URL(server.url).port;
      await server.close();
      const restartAt = exchanges.length;
      t = await startTestServer({ dataDir, listen: `127.0.0.1:${port}` });
      const restarted = t;
      // A heartbeat that lands in the restart gap fails, and the client then backs off for 30 s
      // or more, as the OpAMP spec recommends: allow for one such retry.
      await waitUntil(
        'a full state after the restart',
        () =>
          exchanges.slice(restartAt).some((e) => (e.s2a.flags & 1n) === 1n) &&
          exchanges.slice(restartAt).some((e) => e.a2s.agentDescription !== undefined),
        45_000,
      );
      const collector = (await (await restarted.api(`/api/v1/collectors/${collectorId}`)).json()) as {
        mode: string;
        hostname: string;
      };
      assert.equal(collector.mode, 'opamp');
      assert.equal(collector.hostname, 'http-agent-01');
      assert.equal(
        (await eventTypes(restarted)).filter((type) => type === 'config_applied').length,
        1,
        'applied once, not again',
      );
    } finally {
      await client.shutdown();
    }
  });
});
