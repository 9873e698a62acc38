import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { CollectorService, RemoteConfigStatuses } from '@linkmesh/contracts/gen/collector/v1/collector_pb';
import { parseAlloy } from '@linkmesh/alloy/syntax';
import { startTestServer, type TestServer } from '../../testing/server-harness.ts';

/**
 * Alloy's remotecfg against the real server (all routes, hooks and the not-found handler), with
 * a `@connectrpc/connect-node` client in both codecs, as Alloy's connect-go client calls it.
 */
describe('Alloy remotecfg through the full server', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(async () => t.close());

  const clientFor = (bearer: string, useBinaryFormat: boolean) =>
    createClient(
      CollectorService,
      createConnectTransport({
        baseUrl: t.url,
        httpVersion: '1.1',
        useBinaryFormat,
        interceptors: [
          (next) => (request) => {
            request.header.set('Authorization', `Bearer ${bearer}`);
            return next(request);
          },
        ],
      }),
    );

  for (const useBinaryFormat of [true, false]) {
    it(`serves the self-telemetry pipeline, not_modified, and records status (${useBinaryFormat ? 'binary' : 'JSON'})`, async () => {
      const created = (await (
        await t.api('/api/v1/collectors', {
          method: 'POST',
          json: { name: `alloy-${String(useBinaryFormat)}`, runtime: 'alloy' },
        })
      ).json()) as { id: string };
      const minted = (await (
        await t.api(`/api/v1/collectors/${created.id}/token`, { method: 'POST' })
      ).json()) as {
        token: string;
        remotecfgSnippet: string;
      };
      parseAlloy(minted.remotecfgSnippet);
      const client = clientFor(minted.token, useBinaryFormat);
      await client.registerCollector({
        id: 'host-a',
        name: 'edge',
        localAttributes: { env: 'prod', 'collector.os': 'linux' },
      });
      const first = await client.getConfig({ id: 'host-a', hash: '' });
      assert.equal(first.notModified, false);
      parseAlloy(first.content);
      assert.match(first.content, /prometheus\.exporter\.self/);
      assert.match(first.content, /otelcol\.exporter\.otlphttp/);
      assert.ok(first.content.includes(t.server.externalUrl));
      const again = await client.getConfig({
        id: 'host-a',
        hash: first.hash,
        remoteConfigStatus: { status: RemoteConfigStatuses.RemoteConfigStatuses_APPLIED, errorMessage: '' },
      });
      assert.equal(again.notModified, true);

      const collector = (await (await t.api(`/api/v1/collectors/${created.id}`)).json()) as {
        labels: Record<string, string>;
        status: string;
      };
      assert.deepEqual(collector.labels, { env: 'prod' });
      assert.equal(collector.status, 'connected');
      const types = (
        (await (await t.api(`/api/v1/collectors/${created.id}/events`)).json()) as {
          items: Array<{ type: string }>;
        }
      ).items.map((e) => e.type);
      assert.ok(types.includes('registered') && types.includes('config_applied'), types.join(','));

      await assert.rejects(
        clientFor('lmct_nope', useBinaryFormat).getConfig({ id: 'x', hash: '' }),
        (error: unknown) => error instanceof ConnectError && error.code === Code.Unauthenticated,
      );
    });
  }

  it('answers 401 with Connect error JSON for a bad bearer, and leaves other routes alone', async () => {
    const response = await fetch(`${t.url}/collector.v1.CollectorService/GetConfig`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'connect-protocol-version': '1',
        authorization: 'Bearer lmct_nope',
      },
      body: JSON.stringify({ id: 'x' }),
    });
    assert.equal(response.status, 401);
    assert.equal(((await response.json()) as { code: string }).code, 'unauthenticated');
    assert.ok(
      t.logs.some((line) =>
        line.includes('"msg":"remotecfg.auth: rejected reason=token_unknown_or_revoked_or_expired"'),
      ),
    );
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
    assert.equal((await t.api('/api/v1/no-such-route')).status, 404);
  });
});
