import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postgresUnavailableReason } from '../../testing/postgres.ts';
import { SdkCollector } from '../../testing/otel-sdk-collector.ts';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

const skip = await postgresUnavailableReason();

/**
 * Two server replicas on one PostgreSQL database. A collector is deregistered on replica A while
 * replica B still holds a recent verification of its bearer: B's push then verifies but the
 * collector is gone — the `otlp.dispatch: unknown collectorId` failure mode (404).
 */
describe('self-telemetry across two replicas', skip ? { skip } : {}, () => {
  let a: TestServer;
  let b: TestServer;
  before(async () => {
    a = await startTestServer({ dialect: 'postgres' });
    // B re-checks collector liveness on every push but trusts a verified bearer for a minute.
    b = await startTestServer({
      sharedDatabaseUrl: a.databaseUrl!,
      cacheTtls: { verifiedTtlMs: 60_000, liveTtlMs: 0 },
      env: { LINKMESH_ADMIN_TOKEN: a.adminToken },
    });
  });
  after(async () => {
    await b.close();
    await a.close();
  });

  it('answers 404 with otlp.dispatch: unknown collectorId when the collector was deregistered elsewhere', async () => {
    const collector = (await (
      await a.api('/api/v1/collectors', { method: 'POST', json: { name: 'roamer', runtime: 'otelcol' } })
    ).json()) as {
      id: string;
    };
    const bearer = (
      (await (await a.api(`/api/v1/collectors/${collector.id}/token`, { method: 'POST' })).json()) as {
        token: string;
      }
    ).token;
    const viaB = new SdkCollector({ url: `${b.url}/v1/metrics`, bearer, encoding: 'protobuf' });
    try {
      viaB.record({ accepted: 5 });
      await viaB.push();

      assert.equal((await a.api(`/api/v1/collectors/${collector.id}`, { method: 'DELETE' })).status, 204);

      const push = (server: TestServer) =>
        fetch(`${server.url}/v1/metrics`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          body: '{}',
        });
      const atA = await push(a);
      assert.equal(atA.status, 401, 'the replica that deregistered refuses the revoked bearer');
      assert.ok(
        a.logs.some((line) =>
          line.includes('"msg":"otlp.auth: rejected reason=token_unknown_or_revoked_or_expired"'),
        ),
      );

      const atB = await push(b);
      assert.equal(atB.status, 404);
      assert.match(await atB.text(), /unknown collectorId/);
      assert.ok(b.logs.some((line) => line.includes('"msg":"otlp.dispatch: unknown collectorId"')));
    } finally {
      await viaB.shutdown();
    }
  });
});
