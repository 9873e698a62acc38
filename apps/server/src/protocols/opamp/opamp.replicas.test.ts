import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OpampWsAgent } from '../../testing/opamp/opamp-ws-agent.ts';
import { postgresUnavailableReason } from '../../testing/postgres.ts';
import { assertFleetDefaultWithHostSource } from '../../testing/otel-config-assertions.ts';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

const skip = await postgresUnavailableReason();

/**
 * Two replicas on one PostgreSQL database: the fleet default config set through replica A
 * reaches an agent connected to replica B (issue #10: B served the old one until it restarted).
 */
describe('the fleet default config across two replicas', skip ? { skip } : {}, () => {
  let a: TestServer;
  let b: TestServer;
  let agent: OpampWsAgent;
  before(async () => {
    a = await startTestServer({ dialect: 'postgres' });
    b = await startTestServer({
      sharedDatabaseUrl: a.databaseUrl!,
      env: { LINKMESH_ADMIN_TOKEN: a.adminToken },
    });
    const { token } = (await (
      await a.api('/api/v1/enrollment-tokens', { method: 'POST', json: {} })
    ).json()) as {
      token: string;
    };
    agent = new OpampWsAgent({
      url: `${b.url.replace(/^http/, 'ws')}/v1/opamp`,
      headers: { Authorization: `Bearer ${token}` },
      heartbeatIntervalMs: 0,
    });
    await agent.connect();
    await agent.waitFor((m) => m.remoteConfig !== undefined, { timeoutMs: 5000 });
  });
  after(async () => {
    agent.terminate();
    await b.close();
    await a.close();
  });

  it('pushes a default set on replica A to an agent on replica B at its next refresh', async () => {
    const yaml =
      'receivers:\n  otlp:\n    protocols:\n      http: {}\nexporters:\n  debug: {}\nservice:\n  pipelines:\n    logs:\n      receivers: [otlp]\n      exporters: [debug]\n';
    const from = agent.received.length;
    assert.equal(
      (await a.api('/api/v1/settings/otel-default-config', { method: 'PUT', json: { yaml } })).status,
      204,
    );
    assert.equal(await b.server.refreshDesiredConfig(), true, 'B notices the change');
    const pushed = await agent.waitFor((m) => m.remoteConfig !== undefined, {
      fromIndex: from,
      timeoutMs: 5000,
    });
    assertFleetDefaultWithHostSource(
      Buffer.from(pushed.remoteConfig?.config?.configMap['']?.body ?? new Uint8Array()).toString(),
      yaml,
      b.server.externalUrl,
    );
    assert.equal(await b.server.refreshDesiredConfig(), false, 'and pushes it once');
  });
});
