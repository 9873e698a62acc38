import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type {
  AgentReportRequest,
  AgentReportResponse,
  BootstrapResponse,
} from '@linkmesh/contracts/agent-api';
import type { CollectorDetailView } from '@linkmesh/contracts/api';
import { generateAgentKeyPair, openSealedToken, type AgentKeyPair } from '@linkmesh/contracts/sealed-token';
import { ManualClock } from '../../../domain/shared/clock.ts';
import { postgresUnavailableReason } from '../../../testing/postgres.ts';
import { startTestServer, type TestServer } from '../../../testing/server-harness.ts';

const skipPostgres = await postgresUnavailableReason();

function report(overrides: Partial<AgentReportRequest['collector']> = {}): AgentReportRequest {
  return {
    agentVersion: '0.1.0',
    host: {
      hostname: 'edge-07',
      os: 'linux',
      osRelease: '6.1.0-18-amd64',
      arch: 'x64',
      cpuCount: 4,
      cpuModel: 'Test CPU',
      memoryTotalBytes: 8 * 1024 ** 3,
      memoryFreeBytes: 3 * 1024 ** 3,
      uptimeSeconds: 86_400,
      loadAverage1m: 0.42,
    },
    collector: {
      binary: '/usr/bin/alloy',
      version: 'alloy, version v1.11.3 (branch: HEAD, revision: abc)',
      running: true,
      pid: 4242,
      restartCount: 0,
      uptimeSeconds: 120,
      lastExitCode: null,
      lastExitSignal: null,
      lastExitAt: null,
      nextStartInSeconds: null,
      ...overrides,
    },
  };
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(
    `Managed mode: bootstrap, agent reports and sealed rotation [${dialect}]`,
    dialect === 'postgres' && skipPostgres ? { skip: skipPostgres } : {},
    () => {
      const clock = new ManualClock(Date.now());
      let t: TestServer;
      before(async () => {
        t = await startTestServer({ dialect, clock, cacheTtls: { verifiedTtlMs: 0, liveTtlMs: 0 } });
      });
      after(async () => t.close());

      async function enrollmentToken(): Promise<string> {
        const response = await t.api('/api/v1/enrollment-tokens', {
          method: 'POST',
          json: { ttlSeconds: 600 },
        });
        return ((await response.json()) as { token: string }).token;
      }

      async function bootstrap(keys: AgentKeyPair | undefined, hostId: string): Promise<BootstrapResponse> {
        const response = await fetch(`${t.url}/api/v1/bootstrap`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            token: await enrollmentToken(),
            hostname: 'edge-07',
            runtime: 'alloy',
            hostId,
            ...(keys ? { agentPublicKey: keys.publicKey } : {}),
          }),
        });
        assert.equal(response.status, 201);
        return (await response.json()) as BootstrapResponse;
      }

      const sendReport = (bearer: string, body: unknown) =>
        fetch(`${t.url}/api/v1/agent/report`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
          body: JSON.stringify(body),
        });

      async function detail(collectorId: string): Promise<CollectorDetailView> {
        return (await (await t.api(`/api/v1/collectors/${collectorId}`)).json()) as CollectorDetailView;
      }

      it('a report puts host context on the collector detail and marks it connected', async () => {
        const boot = await bootstrap(generateAgentKeyPair(), 'host-report');
        assert.equal(boot.endpoints.agentReport, `${t.server.externalUrl}/api/v1/agent/report`);
        const before = await detail(boot.collectorId);
        assert.equal(before.agent, null);
        const response = await sendReport(boot.collectorToken, report());
        assert.equal(response.status, 200);
        const answer = (await response.json()) as AgentReportResponse;
        assert.deepEqual(answer, {
          collectorId: boot.collectorId,
          reportIntervalSeconds: 30,
          rotation: null,
        });
        const after = await detail(boot.collectorId);
        assert.equal(after.status, 'connected');
        assert.equal(after.version, 'v1.11.3');
        assert.equal(after.os, 'linux');
        const agent = after.agent;
        assert.ok(agent);
        assert.equal(agent.host.cpuCount, 4);
        assert.equal(agent.host.memoryTotalBytes, 8 * 1024 ** 3);
        assert.equal(agent.collector.pid, 4242);
        assert.equal(agent.agentVersion, '0.1.0');
        assert.equal(agent.rotationPending, false);
        assert.ok(after.lastSeenAt !== null);
      });

      it('records a restarted event per restart the agent reports, not again for the same count', async () => {
        const boot = await bootstrap(generateAgentKeyPair(), 'host-restarts');
        await sendReport(boot.collectorToken, report());
        const crashed = report({ restartCount: 2, lastExitCode: 1, lastExitAt: new Date().toISOString() });
        assert.equal((await sendReport(boot.collectorToken, crashed)).status, 200);
        assert.equal((await sendReport(boot.collectorToken, crashed)).status, 200);
        const events = (await (
          await t.api(`/api/v1/collectors/${boot.collectorId}/events?type=restarted`)
        ).json()) as { items: Array<{ detail: string }> };
        assert.equal(events.items.length, 1);
        assert.match(events.items[0]?.detail ?? '', /2 times \(last exit: code 1; 2 restarts/);
      });

      it('rotation: sealed for the agent, opened only with its key, cleared once the new bearer reports', async () => {
        const keys = generateAgentKeyPair();
        const boot = await bootstrap(keys, 'host-rotation');
        await sendReport(boot.collectorToken, report());
        const rotated = (await (
          await t.api(`/api/v1/collectors/${boot.collectorId}/rotate-token`, { method: 'POST' })
        ).json()) as {
          delivery: string;
          delivered: boolean;
          token: string | null;
          remotecfgSnippet: string | null;
        };
        assert.deepEqual(
          { delivery: rotated.delivery, delivered: rotated.delivered, token: rotated.token },
          { delivery: 'agent', delivered: true, token: null },
        );
        assert.equal(rotated.remotecfgSnippet, null);
        assert.equal((await detail(boot.collectorId)).agent?.rotationPending, true);

        const withOld = (await (
          await sendReport(boot.collectorToken, report())
        ).json()) as AgentReportResponse;
        assert.ok(withOld.rotation, 'the old bearer collects the sealed rotation');
        assert.throws(() =>
          openSealedToken(withOld.rotation!.sealedToken, generateAgentKeyPair(), boot.collectorId),
        );
        const newToken = openSealedToken(withOld.rotation.sealedToken, keys, boot.collectorId);
        assert.match(newToken, /^lmct_/);
        assert.notEqual(newToken, boot.collectorToken);
        assert.ok(!JSON.stringify(withOld).includes(newToken));

        const withNew = (await (await sendReport(newToken, report())).json()) as AgentReportResponse;
        assert.equal(withNew.rotation, null);
        assert.equal((await detail(boot.collectorId)).agent?.rotationPending, false);
        // The grace (600 s) ends: only the new bearer works.
        clock.advanceMs(601_000);
        assert.equal((await sendReport(boot.collectorToken, report())).status, 401);
        assert.equal((await sendReport(newToken, report())).status, 200);
        assert.ok(t.logs.every((line) => !line.includes(newToken) && !line.includes(boot.collectorToken)));
      });

      it('an agent that sent no key gets its rotated bearer shown once to the operator instead', async () => {
        const boot = await bootstrap(undefined, 'host-keyless');
        const rotated = (await (
          await t.api(`/api/v1/collectors/${boot.collectorId}/rotate-token`, { method: 'POST' })
        ).json()) as { delivery: string; token: string | null };
        assert.equal(rotated.delivery, 'shown-once');
        assert.match(rotated.token ?? '', /^lmct_/);
      });

      it('refuses bad input: malformed key (token not spent), bad bearer, bad body, non-managed collector', async () => {
        const token = await enrollmentToken();
        const badKey = await fetch(`${t.url}/api/v1/bootstrap`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ token, hostname: 'edge-bad', agentPublicKey: 'not-a-key' }),
        });
        assert.equal(badKey.status, 400);
        assert.equal(((await badKey.json()) as { error: { field: string } }).error.field, 'agentPublicKey');
        const retry = await fetch(`${t.url}/api/v1/bootstrap`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            token,
            hostname: 'edge-bad',
            agentPublicKey: generateAgentKeyPair().publicKey,
          }),
        });
        assert.equal(retry.status, 201, 'the token survived the refused attempt');
        const boot = (await retry.json()) as BootstrapResponse;

        assert.equal((await sendReport('lmct_unknown', report())).status, 401);
        const noAuth = await fetch(`${t.url}/api/v1/agent/report`, { method: 'POST', body: '{}' });
        assert.equal(noAuth.status, 401);
        const badBody = await sendReport(boot.collectorToken, { ...report(), host: { hostname: '' } });
        assert.equal(badBody.status, 400);
        const notJson = await fetch(`${t.url}/api/v1/agent/report`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${boot.collectorToken}` },
          body: '{"agentVersion":',
        });
        assert.equal(notJson.status, 400);

        const alloy = (await (
          await t.api('/api/v1/collectors', { method: 'POST', json: { name: 'std', runtime: 'alloy' } })
        ).json()) as { id: string };
        const alloyBearer = (
          (await (await t.api(`/api/v1/collectors/${alloy.id}/token`, { method: 'POST' })).json()) as {
            token: string;
          }
        ).token;
        assert.equal((await sendReport(alloyBearer, report())).status, 409);

        await t.api(`/api/v1/collectors/${boot.collectorId}`, { method: 'DELETE' });
        assert.equal((await sendReport(boot.collectorToken, report())).status, 401);
      });
    },
  );
}
